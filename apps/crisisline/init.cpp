#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app.hpp"
#include "directory/directory.hpp"
#include "records/demo_history.hpp"
#include "records/demo_rota.hpp"
#include "records/directory_book.hpp"
#include "records/lines.hpp"
#include "records/staffing_plan.hpp"
#include "staff/accounts.hpp"
#include "staff/sip_accounts.hpp"

namespace crisisline::app {

namespace {

constexpr const char* kDemoConfig = R"(# crisisline configuration. Command-line flags override these settings.
[server]
# Where the console and API listen. Plain HTTP is served on loopback only: for any other address give a
# certificate and key (PEM, key chmod 600; SIGHUP reloads them), or put a TLS-terminating proxy in front and set
# allow_plain_http = true.
listen = "127.0.0.1:8080"
# tls_certificate = "tls/fullchain.pem"
# tls_key = "tls/privkey.pem"
# Threads for HTTP I/O (unset: one per CPU the process may run on), and workers for requests
# (storage and password hashing block).
# io_threads = 2
workers = 32
# Behind a reverse proxy, its address (or network), so that sign-in limits see each client's own address in
# X-Forwarded-For rather than the proxy's: trusted_proxies = ["127.0.0.1"]
# Connections at once: in all (unset: from the open-file limit) and from one address.
# max_connections = 10000
# max_connections_per_address = 256

[telephony]
# SIP (UDP and TCP) for carrier trunks and counsellor phones; media is relayed through rtp_address.
listen = "127.0.0.1:5060"
rtp_address = "127.0.0.1"
rtp_ports = [20000, 39999]
# After the greeting, how long to wait for "1" (Welsh) before carrying on in English.
choice_wait_s = 4
# A call whose audio stops for this long is ended (a dead line, not a quiet caller: phones send RTP in silence too).
rtp_timeout_s = 30
# The counsellor's side silent this long (their phone's RTP, or their browser's media) means their connection
# failed: the caller hears a short message and goes back to the front of the queue, never hung up.
counsellor_media_timeout_s = 10
# Demo convenience: a counsellor whose phone registers becomes available at once.
# In service, leave this false: counsellors say they are ready in the console.
available_on_register = true

# Who may send calls to the lines' numbers. This one is for test calls from this machine
# (make call); replace it with your carrier's signalling addresses and/or digest credentials.
[[telephony.trunk]]
name = "loopback-test-carrier"
allow = ["127.0.0.1"]

[audit]
# Signed checkpoints of the audit log's head go to the log and to this file (relative to the data directory);
# ship it to write-once storage and check with `crisisline audit verify --checkpoint FILE` (docs/operations.md).
# checkpoint_interval_s = 300
# checkpoint_file = "audit-checkpoints"
)";

struct DemoPerson {
    const char* username;
    const char* display_name;
    std::vector<std::string> roles;
    std::vector<std::string> languages;
    std::vector<std::string> specialisms;
    bool sip_phone = false;  // gets a demo SIP account for a softphone
};

// A FICTIONAL rota for this week and next (next week is what Staffing opens on), staffed from the staffing plan
// with a few shifts one counsellor short, so coverage shows gaps, and the Welsh cover the Welsh plan asks for, with
// a few shifts one Welsh speaker short, so Welsh cover shows gaps of its own. The demo counsellors take shifts
// first (`welsh_pool`: those speaking Welsh); fictional rota counsellors, some speaking Welsh (accounts whose
// passwords nobody is shown), make up the numbers.
Result<void> CreateDemoRota(Opened& o, std::vector<std::string> pool, std::vector<std::string> welsh_pool) {
    records::Services s = o.Services();
    std::vector<staffing::PlanInterval> fortnight;  // both weeks at once, so no shift is made twice at the join
    std::vector<staffing::PlanInterval> welsh_fortnight;
    int most = 1, most_welsh = 0;
    const TimeMs now = o.clock.Now();
    for (const std::string& week : {staffing::IsoWeekOf(now), std::string()}) {
        auto plan = records::LineStaffing(s, "police", week, now);
        if (!plan) return tl::unexpected(plan.error());
        for (const auto& p : plan->plan) most = std::max(most, p.erlang_c.rostered);
        for (const auto& p : plan->welsh_plan) most_welsh = std::max(most_welsh, p.erlang_c.rostered);
        fortnight.insert(fortnight.end(), plan->plan.begin(), plan->plan.end());
        welsh_fortnight.insert(welsh_fortnight.end(), plan->welsh_plan.begin(), plan->welsh_plan.end());
    }
    staff::Accounts accounts(*o.store, *o.writer, o.clock);
    std::vector<std::string> fillers;
    const int extra = std::min(40, std::max(2, most + 2 - static_cast<int>(pool.size())));
    const int extra_welsh = std::min(20, std::max(0, most_welsh + 1 - static_cast<int>(welsh_pool.size())));
    for (int i = 1; i <= extra + extra_welsh; ++i) {
        const bool welsh = i > extra;
        char username[32];
        char name[64];
        std::snprintf(username, sizeof username, welsh ? "demo.rota.cy%02d" : "demo.rota.%02d", welsh ? i - extra : i);
        std::snprintf(name, sizeof name,
                      welsh ? "Rota Welsh speaker %02d (demo, fictional)" : "Rota counsellor %02d (demo, fictional)",
                      welsh ? i - extra : i);
        std::vector<std::string> languages =
            welsh ? std::vector<std::string>{"en", "cy"} : std::vector<std::string>{"en"};
        staff::NewStaff who{username, name, crypto::RandomToken(16), {{"counsellor"}, {"police"}, languages, {}}};
        auto created = accounts.Create(who, "system");
        if (!created) return tl::unexpected(created.error());
        (welsh ? welsh_pool : pool).push_back(created->id);
        fillers.push_back(created->id);
    }
    // The rota's fillers are not people anyone must notice: their "new access to contacts" announcements are
    // acknowledged at once (audited), so the demo wallboard shows only those of the demo staff a newcomer meets.
    auto announced = accounts.Announcements("police");
    if (!announced) return tl::unexpected(announced.error());
    for (const auto& a : *announced) {
        if (std::find(fillers.begin(), fillers.end(), a.value("staff_id", "")) == fillers.end()) continue;
        auto ack = accounts.Acknowledge("police", a.value("id", ""), "system");
        if (!ack) return tl::unexpected(ack.error());
    }
    auto stored =
        records::AddDemoRota(s, "police", records::DemoRotaShifts(fortnight, welsh_fortnight, pool, welsh_pool, 5));
    if (!stored) return tl::unexpected(stored.error());
    std::printf(
        "Rota: %zu FICTIONAL shifts this week and next (%d fictional rota counsellors, %d of them Welsh "
        "speakers), with a few gaps.\n",
        *stored, extra + extra_welsh, extra_welsh);
    return {};
}

Result<void> CreateDemo(const DataDir& dir, Opened& o, bool history) {
    records::Services s = o.Services();
    records::Lines lines(s);
    // Fictional demo line: the number is from Ofcom's range reserved for drama, so it rings nobody.
    // The Welsh (name_cy, audience_cy) was written by the development team and needs checking by a fluent Welsh
    // speaker before use, like the public page's own Welsh (web/src/pages/public/content.ts).
    nlohmann::json line = {{"id", "police"},
                           {"name", "Police Mental Health Crisis Line (demo)"},
                           {"name_cy", "Llinell Argyfwng Iechyd Meddwl yr Heddlu (demo)"},
                           {"numbers", {"+448081570000"}},
                           {"hours", "24 hours a day, 7 days a week, 365 days a year"},
                           {"regions", {"national"}},
                           {"languages", {"en", "cy"}},
                           {"audience", "police officers, police staff, special constables and police volunteers "
                                        "in England and Wales"},
                           {"audience_cy", "swyddogion yr heddlu, staff yr heddlu, cwnstabliaid gwirfoddol a "
                                           "gwirfoddolwyr yr heddlu yng Nghymru a Lloegr"}};
    // The roll-out from pilot to national, with FICTIONAL workforce figures marked so.
    line["region_starts"] = records::RegionStartsJson(records::DemoRegionStarts());
    line["force_workforce"] = records::ForceWorkforceJson(records::DemoForceWorkforce());
    // FICTIONAL external services for a three-party conference: addresses under .invalid (RFC 6761) reach nobody.
    line["transfer_targets"] = {{{"id", "ambulance"},
                                 {"name", "Ambulance service (demo, fictional)"},
                                 {"uri", "sips:999@emergency.invalid"},
                                 {"kind", "emergency"}},
                                {{"id", "listening-partner"},
                                 {"name", "Partner listening service (demo, fictional)"},
                                 {"uri", "sips:listen@partner.invalid"},
                                 {"kind", "partner"}}};
    auto demo_line = lines.Create(Fields(line, ""), "system");
    if (!demo_line) return tl::unexpected(demo_line.error());

    staff::Accounts accounts(*o.store, *o.writer, o.clock);
    const DemoPerson people[] = {
        {"demo.counsellor", "Sam (demo counsellor)", {"counsellor"}, {"en"}, {"bereavement_by_suicide"}, true},
        {"demo.welsh", "Ceri (demo counsellor)", {"counsellor"}, {"en", "cy"}, {}, true},
        {"demo.supervisor", "Jo (demo supervisor)", {"supervisor", "counsellor"}, {"en"}, {}, true},
        {"demo.manager", "Alex (demo service manager)", {"service_manager"}, {"en"}, {}},
        {"demo.admin", "Pat (demo administrator)", {"admin"}, {"en"}, {}},
        {"demo.auditor", "Lee (demo auditor)", {"auditor"}, {"en"}, {}},
    };
    staff::SipAccounts sip(*o.store, *o.writer, o.keys, o.clock);
    // The demo phones' credentials, for `make call` (demo data, this machine only, mode 0600).
    std::string phones_path = dir.root + "/demo-phones";
    std::ofstream phones(phones_path);
    std::filesystem::permissions(phones_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    phones << "# DEMO DATA: SIP accounts of the demo counsellors' softphones, for `make call`. Not for service.\n";
    std::printf("\nDemo staff (demo data; shown once; first sign-in enrols an authenticator app; "
                "demo softphones register with the SIP user and password shown):\n");
    records::DemoStaff history_staff;
    std::vector<std::string> rota_pool;        // the demo counsellors, for the demo rota
    std::vector<std::string> welsh_rota_pool;  // those of them speaking Welsh
    for (const auto& p : people) {
        std::string password = crypto::RandomToken(12);
        staff::NewStaff who{p.username, p.display_name, password, {p.roles, {"police"}, p.languages, p.specialisms}};
        auto created = accounts.Create(who, "system");
        if (!created) return tl::unexpected(created.error());
        std::printf("  %-16s %-28s password: %s\n", p.username, p.display_name, password.c_str());
        if (std::string(p.username) == "demo.supervisor") history_staff.supervisor_id = created->id;
        if (std::find(p.roles.begin(), p.roles.end(), "counsellor") != p.roles.end()) {
            const bool welsh = std::find(p.languages.begin(), p.languages.end(), "cy") != p.languages.end();
            (welsh ? welsh_rota_pool : rota_pool).push_back(created->id);
        }
        if (p.sip_phone) {
            auto sip_password = sip.Issue(created->id, p.username, "system");
            if (!sip_password) return tl::unexpected(sip_password.error());
            std::printf("  %-16s SIP phone (demo): user %s, SIP password %s\n", "", p.username, sip_password->c_str());
            phones << p.username << " " << *sip_password << "\n";
        }
    }
    records::DirectoryBook book(s);
    auto added = book.Add("system", "police", directory::DemoServices());
    if (!added) return tl::unexpected(added.error());
    std::printf("\nSignposting directory: %zu demo services added, marked \"demo data — verify before use\".\n", *added);
    if (!history) return CreateDemoRota(o, rota_pool, welsh_rota_pool);
    // One fictional history up to now, from the North East pilot (June 2024) through the national launch (21 July
    // 2025): the reports, the staffing forecast and today's wallboard figures all read the same calls. They are
    // answered by a fictional counsellor id that is nobody's account, so no demo person's lists fill with them.
    history_staff.counsellor_id = "st_demo_history";
    auto added_history = records::AddDemoHistory(s, *demo_line, history_staff, o.clock.Now());
    if (!added_history) return tl::unexpected(added_history.error());
    std::printf("Call history: %lld FICTIONAL past calls added, one history for Reports and Staffing (the North East "
                "pilot from June 2024, national from 21 July 2025; workforce figures FICTIONAL too).\n",
                static_cast<long long>(*added_history));
    return CreateDemoRota(o, rota_pool, welsh_rota_pool);
}

}  // namespace

int Init(const DataDir& dir, bool demo, bool demo_history) {
    std::error_code ec;
    const bool existed = std::filesystem::exists(dir.Database(), ec);
    auto opened = Opened::Open(dir, true);
    if (!opened) {
        std::fprintf(stderr, "crisisline init: %s\n", opened.error().message.c_str());
        return 1;
    }
    if (!std::filesystem::exists(dir.Config(), ec)) {
        std::ofstream(dir.Config()) << kDemoConfig;
    }
    if (existed) {
        std::printf("crisisline: %s is already initialised; nothing changed\n", dir.root.c_str());
        return 0;
    }
    std::printf("crisisline: initialised %s (database, service and audit keys with mode 0600, configuration)\n",
                dir.root.c_str());
    if (demo) {
        if (auto d = CreateDemo(dir, **opened, demo_history); !d) {
            std::fprintf(stderr, "crisisline init: demo data: %s\n", d.error().message.c_str());
            return 1;
        }
    }
    return 0;
}

}  // namespace crisisline::app
