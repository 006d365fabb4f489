// The fixed reports over a large line: a generator writes N synthetic contacts (default 1,000,000) spread evenly
// over the 36 whole months before now into a scratch SQLite database (through the real StorageWriter, 10,000 a
// unit), then times records::BuildReport for every report over one month, one quarter and one year, several
// times each (median and max), and the monthly funder pack (every report of the month). Also times contact
// writes through records::Contacts::Create on the loaded database, the path a counsellor's request takes (the
// reports keep no aggregates of their own to update), and what opening one month's sealed forces costs.
// Run: build/bench/report_bench [contacts=1000000] [repeats=5]
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/fields.hpp"
#include "crypto/crypto.hpp"
#include "records/contacts.hpp"
#include "records/lines.hpp"
#include "records/reports.hpp"
#include "records/sealed_force.hpp"
#include "reference/reference.hpp"
#include "reports/period.hpp"
#include "writer/writer.hpp"

namespace crisisline::bench {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// This thread's CPU time in ms: on a shared machine, wall time also counts the waits for a core.
double ThreadCpuMs() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
}

// A synthetic contact's facts (phone call, coded facts as the API and telephony record them); an answered
// caller's force in `force`.
std::string SyntheticFacts(std::mt19937& random, bool& answered, std::int64_t& wait_s, std::string& force_code) {
    const auto& forces = reference::Forces();
    const auto& roles = reference::CallerRoleCodes();
    const auto& themes = reference::ThemeCodes();
    const auto& outcomes = reference::OutcomeCodes();
    wait_s = 2 + static_cast<std::int64_t>(random() % 140);
    answered = random() % 14 != 0;
    const auto& force = forces[random() % forces.size()];
    nlohmann::json facts = {{"channel", "phone"},
                            {"synthetic", true},
                            {"region", force.region},
                            {"language", random() % 12 == 0 ? "cy" : "en"},
                            {"repeat_calls_30d", 0}};
    if (answered) {
        force_code = force.code;
        facts["caller_role"] = roles[random() % roles.size()];
        facts["themes"] = {themes[random() % themes.size()], themes[random() % themes.size()]};
        facts["outcome"] = outcomes[random() % outcomes.size()];
        facts["actions"] = {"listened_and_supported"};
        facts["cause_for_concern"] = random() % 10 == 0;
        facts["call"] = {{"end_reason", "completed"}, {"queue_wait_s", wait_s}, {"talk_s", 600}};
    } else {
        facts["call"] = {{"end_reason", "abandoned"}, {"queue_wait_s", wait_s}, {"talk_s", nullptr}};
    }
    return facts.dump();
}

int Run(std::int64_t total, int repeats) {
    if (!crypto::Initialise()) return 1;
    char pattern[] = "/tmp/crisisline-report-bench-XXXXXX";
    const std::string dir = mkdtemp(pattern);
    auto opened = store::OpenSqlite({dir + "/bench.db"});
    if (!opened) return 1;
    std::unique_ptr<store::Store> store = std::move(*opened);
    crypto::Keyring keys(dir);
    if (!keys.LoadService(true) || !keys.LoadAudit(true)) return 1;
    writer::StorageWriter writer(*store, audit::ChainKey{&keys.Audit(), 0});
    SystemClock clock;
    records::Services s{*store, writer, keys, clock};
    records::Lines lines(s);
    auto line = lines.Create(Fields({{"id", "police"}, {"name", "Police (synthetic)"}}, ""), "system");
    if (!line) return 1;
    auto kek = keys.Line("police");
    if (!kek) return 1;

    // 36 whole months before now's month; contacts evenly spread, in time order.
    const std::string now_month = FormatTime(clock.Now()).substr(0, 7);
    int year = std::stoi(now_month.substr(0, 4)), month = std::stoi(now_month.substr(5, 2));
    for (int i = 0; i < 36; ++i) {
        if (--month == 0) {
            month = 12;
            --year;
        }
    }
    const TimeMs from = reports::StartOfDate(year, static_cast<unsigned>(month), 1);
    const TimeMs to = reports::StartOfDate(std::stoi(now_month.substr(0, 4)),
                                           static_cast<unsigned>(std::stoi(now_month.substr(5, 2))), 1);
    // One sealed blob of a typical size for every row: sealing is not what is measured.
    const store::Sealed sealed = crypto::Seal(**kek, std::string(400, 'x'), "contact:police:synthetic");
    std::mt19937 random(14);
    const auto started = Clock::now();
    const std::int64_t kPerUnit = 10'000;
    for (std::int64_t done = 0; done < total;) {
        const std::int64_t n = std::min(kPerUnit, total - done);
        auto written = writer.Run([&](store::Tx& tx) -> Result<void> {
            for (std::int64_t i = 0; i < n; ++i) {
                const std::int64_t k = done + i;
                store::ContactRow row;
                row.id = "ct_synthetic_" + std::to_string(k);
                row.line_id = "police";
                row.status = "closed";
                row.arrived_at = from + (to - from) * k / total;
                bool answered = false;
                std::int64_t wait_s = 0;
                std::string force;
                row.facts_json = SyntheticFacts(random, answered, wait_s, force);
                // Sealed on its own under the line's key, as records::Contacts writes it.
                if (!force.empty()) row.force_sealed = records::SealForce(**kek, "police", row.id, force);
                if (answered) {
                    row.answered_at = row.arrived_at + wait_s * kSecondMs;
                    row.counsellor_id = "st_synthetic";
                }
                row.ended_at = row.arrived_at + (wait_s + 600) * kSecondMs;
                row.sealed = sealed;
                row.created_at = row.updated_at = row.arrived_at;
                if (auto r = tx.InsertContact(row); !r) return r;
            }
            return {};
        });
        if (!written) {
            std::fprintf(stderr, "write failed: %s\n", written.error().message.c_str());
            return 1;
        }
        done += n;
    }
    std::printf("generated %lld contacts over 36 months (%.0f a month) in %.1f s\n", static_cast<long long>(total),
                static_cast<double>(total) / 36.0, MsSince(started) / 1000.0);

    // What demand's contacts_by_force adds per contact: opening its sealed force with the line's key.
    {
        store::ContactRow row;
        row.line_id = "police";
        row.id = "ct_synthetic_0";
        row.force_sealed = records::SealForce(**kek, "police", row.id, "cleveland_police");
        const nlohmann::json no_facts = nlohmann::json::object();
        const int opens = 27'778;
        const double c = ThreadCpuMs();
        int opened = 0;
        for (int i = 0; i < opens; ++i) opened += records::OpenForce(**kek, row, no_facts) ? 1 : 0;
        const double ms = ThreadCpuMs() - c;
        if (opened != opens) return 1;
        std::printf("sealed forces opened: %d in %.1f ms of CPU (%.2f us each)\n", opens, ms, 1000.0 * ms / opens);
    }

    const std::string last_month = FormatTime(to - kDayMs).substr(0, 7);
    const std::string quarter = last_month.substr(0, 4) + "-Q" + std::to_string((std::stoi(last_month.substr(5, 2)) + 2) / 3);
    const std::string whole_year = std::to_string(std::stoi(last_month.substr(0, 4)) - 1);
    std::printf("%-16s %-8s %10s %10s %12s\n", "report", "period", "median ms", "max ms", "median cpu ms");
    for (const std::string& period : {last_month, quarter, whole_year}) {
        auto p = reports::ParsePeriod(period);
        for (const auto& name : records::ReportNames()) {
            std::vector<double> times, cpu;
            for (int i = 0; i < repeats; ++i) {
                const auto t = Clock::now();
                const double c = ThreadCpuMs();
                auto r = records::BuildReport(*store, *line, name, *p, **kek);
                cpu.push_back(ThreadCpuMs() - c);
                times.push_back(MsSince(t));
                if (!r) return 1;
            }
            std::sort(times.begin(), times.end());
            std::sort(cpu.begin(), cpu.end());
            std::printf("%-16s %-8s %10.1f %10.1f %12.1f\n", name.c_str(), period.c_str(), times[times.size() / 2],
                        times.back(), cpu[cpu.size() / 2]);
        }
    }
    // The monthly funder pack: every report of the last whole month, as GET .../reports/pack builds it.
    {
        auto p = reports::ParsePeriod(last_month);
        std::vector<double> times, cpu;
        for (int i = 0; i < repeats; ++i) {
            const auto t = Clock::now();
            const double c = ThreadCpuMs();
            for (const auto& name : records::ReportNames()) {
                if (!records::BuildReport(*store, *line, name, *p, **kek)) return 1;
            }
            cpu.push_back(ThreadCpuMs() - c);
            times.push_back(MsSince(t));
        }
        std::sort(times.begin(), times.end());
        std::sort(cpu.begin(), cpu.end());
        std::printf("%-16s %-8s %10.1f %10.1f %12.1f\n", "funder pack", last_month.c_str(), times[times.size() / 2],
                    times.back(), cpu[cpu.size() / 2]);
    }
    // Writes on the loaded database: one at a time, as a counsellor's request (validate, seal, insert, audit).
    records::Contacts contacts(s);
    const staff::Principal counsellor{"st_synthetic", "Synthetic", {staff::Role::kCounsellor}, {"police"}};
    const auto w = Clock::now();
    const int writes = 200;
    for (int i = 0; i < writes; ++i) {
        auto c = contacts.Create(counsellor, "police",
                                 Fields({{"caller_role", "police_officer"}, {"force", "cleveland_police"}}, ""));
        if (!c) return 1;
    }
    std::printf("contact writes, one at a time: %.2f ms each (%d)\n", MsSince(w) / writes, writes);
    // Closing writes, the one write that keeps a report aggregate up to date: a close that gives both distress
    // ratings adds one to the month's distress_change count in its unit (one more upsert); a close without
    // them does not. Alternated one by one on the same loaded database, so both see the same conditions.
    std::vector<std::string> open_ids;
    for (int i = 0; i < 2 * writes; ++i) {
        auto c = contacts.Create(counsellor, "police",
                                 Fields({{"caller_role", "police_officer"}, {"force", "cleveland_police"},
                                         {"outcome", "support_given"}},
                                        ""));
        if (!c) return 1;
        open_ids.push_back((*c)["id"].get<std::string>());
    }
    double plain_ms = 0, tallied_ms = 0;
    for (int i = 0; i < 2 * writes; ++i) {
        const bool tally = i % 2 == 1;
        nlohmann::json body = {{"version", 1}};
        if (tally) body["distress"] = {{"at_start", 8}, {"at_end", 4}};
        const auto t = Clock::now();
        auto closed = contacts.Close(counsellor, "police", open_ids[i], Fields(body, ""));
        (tally ? tallied_ms : plain_ms) += MsSince(t);
        if (!closed) {
            std::fprintf(stderr, "close: %s: %s\n", closed.error().field.c_str(), closed.error().message.c_str());
            return 1;
        }
    }
    std::printf("closing writes, one at a time: %.3f ms each without an aggregate, %.3f ms with the distress "
                "aggregate (%+.1f %%; %d each)\n",
                plain_ms / writes, tallied_ms / writes, 100.0 * (tallied_ms - plain_ms) / plain_ms, writes);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
    return 0;
}

}  // namespace
}  // namespace crisisline::bench

int main(int argc, char** argv) {
    const std::int64_t total = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
    const int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
    return crisisline::bench::Run(total, std::max<int>(repeats, 1));
}
