#include "records/demo_calls.hpp"

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "crypto/crypto.hpp"
#include "crypto/envelope.hpp"
#include "records/contacts.hpp"
#include "staffing/calendar.hpp"
#include "writer/audit_trail.hpp"
#include "writer/writer.hpp"

namespace crisisline::records {
namespace {

// Mean calls per half hour at a UK hour-of-week slot: about 1 at night, about 6 in the evening, more at weekends.
double Mean(int slot) {
    const double hour = (slot % 48) / 2.0;
    const double evening = std::exp(-std::pow((hour - 21.0) / 3.5, 2));
    const double day = std::exp(-std::pow((hour - 13.0) / 4.0, 2));
    const double weekend = slot / 48 >= 5 ? 1.25 : 1.0;
    return weekend * (0.8 + 2.5 * day + 4.0 * evening);
}

}  // namespace

Result<std::int64_t> SeedDemoCallHistory(Services& s, const std::string& line_id, const std::string& counsellor_id,
                                         TimeMs until, int weeks, std::uint64_t seed) {
    auto kek = s.keys.Line(line_id);
    if (!kek) return tl::unexpected(kek.error());
    std::mt19937_64 rng(seed);
    std::exponential_distribution<double> wait_s(1 / 20.0), patience_s(1 / 150.0), wrap_up_s(1 / 240.0);
    std::lognormal_distribution<double> talk_s(std::log(900.0), 0.6);  // median 15 minutes
    std::uniform_real_distribution<double> within(0, 1);
    const TimeMs end = until - until % staffing::kHalfHourMs;
    const TimeMs start = end - static_cast<TimeMs>(weeks) * 7 * kDayMs;
    std::vector<store::ContactRow> rows;
    for (TimeMs half = start; half < end; half += staffing::kHalfHourMs) {
        std::poisson_distribution<int> calls(Mean(staffing::WeekSlot(half)));
        for (int n = calls(rng); n > 0; --n) {
            store::ContactRow row;
            row.id = crypto::NewId("ct");
            row.line_id = line_id;
            row.status = "closed";
            row.arrived_at = half + static_cast<TimeMs>(within(rng) * static_cast<double>(staffing::kHalfHourMs));
            const double waited = wait_s(rng), patience = patience_s(rng);
            nlohmann::json call;
            if (waited > patience) {
                row.ended_at = row.arrived_at + static_cast<TimeMs>(patience * 1000);
                row.updated_at = *row.ended_at;
                call = {{"end_reason", "abandoned"}, {"queue_wait_s", std::llround(patience)}, {"talk_s", nullptr}};
            } else {
                const double talk = talk_s(rng);
                row.answered_at = row.arrived_at + static_cast<TimeMs>(waited * 1000);
                row.ended_at = *row.answered_at + static_cast<TimeMs>(talk * 1000);
                row.updated_at = *row.ended_at + static_cast<TimeMs>(wrap_up_s(rng) * 1000);
                row.counsellor_id = counsellor_id;
                call = {{"end_reason", "completed"}, {"queue_wait_s", std::llround(waited)}, {"talk_s", std::llround(talk)}};
            }
            row.facts_json = nlohmann::json{{"channel", "phone"}, {"language", within(rng) < 0.1 ? "cy" : "en"},
                                            {"call", call}, {"repeat_calls_30d", 0}}
                                 .dump();
            row.sealed = crypto::Seal(**kek, "{}", SealingContext("contact", line_id, row.id));
            row.created_at = row.arrived_at;
            rows.push_back(std::move(row));
        }
    }
    const TimeMs now = s.clock.Now();
    auto written = s.writer.Run([&](store::Tx& tx) -> Result<void> {
        for (const store::ContactRow& row : rows) {
            if (auto r = tx.InsertContact(row); !r) return r;
        }
        return writer::AppendAudit(tx, now, {"system", "demo.call_history", line_id, "line", line_id, "demo"});
    });
    if (!written) return tl::unexpected(written.error());
    return static_cast<std::int64_t>(rows.size());
}

}  // namespace crisisline::records
