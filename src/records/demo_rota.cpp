#include "records/demo_rota.hpp"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "staffing/calendar.hpp"
#include "writer/audit_trail.hpp"

namespace crisisline::records {

std::vector<rota::Shift> DemoRotaShifts(const std::vector<staffing::PlanInterval>& plan,
                                        const std::vector<staffing::PlanInterval>& welsh_plan,
                                        const std::vector<std::string>& pool,
                                        const std::vector<std::string>& welsh_pool,
                                        int short_every) {
    std::vector<rota::Shift> out;
    if (plan.empty() || pool.empty() || short_every <= 0) return out;
    const bool with_welsh = welsh_plan.size() == plan.size() && !welsh_pool.empty();
    const TimeMs from = plan.front().start;
    const TimeMs to = plan.back().start + staffing::kHalfHourMs;
    // The 23:00 shift of the day before reaches into the first day; start there.
    const auto first_day = std::chrono::sys_days(staffing::UkDate(from)) - std::chrono::days(1);
    size_t next = 0, next_welsh = 0;
    int count = 0;
    for (auto day = first_day;; day += std::chrono::days(1)) {
        const std::chrono::year_month_day date(day);
        if (staffing::UkLocalToUtc(date, 7 * 60) >= to) break;
        for (int start_minute : {7 * 60, 15 * 60, 23 * 60}) {
            const TimeMs start = staffing::UkLocalToUtc(date, start_minute);
            const TimeMs end = start_minute == 23 * 60
                                   ? staffing::UkLocalToUtc(std::chrono::year_month_day(day + std::chrono::days(1)), 7 * 60)
                                   : staffing::UkLocalToUtc(date, start_minute + 8 * 60);
            if (end <= from || start >= to) continue;
            int need = 0, welsh = 0;
            for (size_t i = 0; i < plan.size(); ++i) {
                if (plan[i].start < start || plan[i].start >= end) continue;
                need = std::max(need, plan[i].erlang_c.rostered);
                if (with_welsh) welsh = std::max(welsh, welsh_plan[i].erlang_c.rostered);
            }
            ++count;
            if (count % short_every == 0 && need > 1) need -= 1;  // short, but never empty
            welsh = std::clamp(welsh, 0, static_cast<int>(welsh_pool.size()));
            need = std::max(need, welsh);
            if (count % short_every == (short_every + 1) / 2 && welsh > 1) welsh -= 1;  // a Welsh gap, not a gap
            const int others = std::clamp(need - welsh, 0, static_cast<int>(pool.size()));
            for (int i = 0; i < welsh; ++i)
                out.push_back({welsh_pool[next_welsh++ % welsh_pool.size()], start, end, true});
            for (int i = 0; i < others; ++i) out.push_back({pool[next++ % pool.size()], start, end, false});
        }
    }
    return out;
}

Result<size_t> AddDemoRota(Services& s, const std::string& line_id, const std::vector<rota::Shift>& shifts) {
    const TimeMs now = s.clock.Now();
    auto written = s.writer.Run([&](store::Tx& tx) -> Result<void> {
        for (const auto& shift : shifts) {
            store::ShiftRow row{line_id, crypto::NewId("sh"), shift.counsellor, shift.start, shift.end, "system", now};
            if (auto put = tx.InsertShift(row); !put) return put;
        }
        const nlohmann::json detail = {{"shifts", shifts.size()}, {"fictional", true}};
        return writer::AppendAudit(tx, now, {"system", "demo.rota", line_id, "rota", "", "demo", detail.dump()});
    });
    if (!written) return tl::unexpected(written.error());
    return shifts.size();
}

}  // namespace crisisline::records
