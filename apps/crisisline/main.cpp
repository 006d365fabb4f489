// crisisline: the command line. It parses options, assembles components and runs one command.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <tuple>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include "app.hpp"
#include "records/audit_chain.hpp"
#include "records/audit_log.hpp"
#include "records/directory_book.hpp"
#include "records/reports.hpp"
#include "records/retention.hpp"
#include "staff/accounts.hpp"
#include "staff/sip_accounts.hpp"

namespace {

using namespace crisisline;

// One clear line on stderr, and the exit code for a failure.
int Failed(const std::string& command, const std::string& message) {
    std::fprintf(stderr, "crisisline %s: %s\n", command.c_str(), message.c_str());
    return 1;
}

// [server] max_connections, max_connections_per_address and trusted_proxies; false (after one line on stderr)
// when one is of the wrong type.
bool ApplyServerLimits(const toml::table& config, const app::DataDir& dir, app::ServeOptions& o) {
    auto bad = [&](const char* setting, const char* what) {
        std::fprintf(stderr, "crisisline serve: %s: server.%s %s\n", dir.Config().c_str(), setting, what);
        return false;
    };
    const auto server = config["server"];
    for (auto [name, out] : {std::pair{"max_connections", &o.max_connections},
                             std::pair{"max_connections_per_address", &o.max_connections_per_address}}) {
        if (!server[name]) continue;
        auto value = server[name].value<std::int64_t>();
        if (!value || *value < 0 || *value > 10'000'000) return bad(name, "must be a whole number from 0 to 10000000");
        *out = static_cast<std::size_t>(*value);
    }
    if (server["trusted_proxies"]) {
        const toml::array* list = server["trusted_proxies"].as_array();
        if (list == nullptr) return bad("trusted_proxies", "must be a list of addresses, e.g. [\"127.0.0.1\"]");
        o.trusted_proxies.clear();
        for (const auto& item : *list) {
            auto text = item.value<std::string>();
            if (!text) return bad("trusted_proxies", "must be a list of addresses, e.g. [\"127.0.0.1\"]");
            o.trusted_proxies.push_back(*text);
        }
    }
    return true;
}

// [server] tls_certificate, tls_key (relative paths from the data directory) and allow_plain_http; false
// (after one line on stderr) when one is of the wrong type. --tls-certificate and --tls-key win.
bool ApplyServerTls(const toml::table& config, const app::DataDir& dir, app::ServeOptions& o, const CLI::App& serve) {
    const auto server = config["server"];
    for (auto [name, flag, out] : {std::tuple{"tls_certificate", "--tls-certificate", &o.tls.certificate},
                                   std::tuple{"tls_key", "--tls-key", &o.tls.key}}) {
        if (!server[name] || serve.count(flag) > 0) continue;
        auto path = server[name].value<std::string>();
        if (!path || path->empty()) {
            std::fprintf(stderr, "crisisline serve: %s: server.%s must be the path of a PEM file\n",
                         dir.Config().c_str(), name);
            return false;
        }
        *out = path->front() == '/' ? *path : dir.root + "/" + *path;
    }
    if (server["allow_plain_http"]) {
        auto allow = server["allow_plain_http"].value<bool>();
        if (!allow) {
            std::fprintf(stderr, "crisisline serve: %s: server.allow_plain_http must be true or false\n",
                         dir.Config().c_str());
            return false;
        }
        o.allow_plain_http = *allow;
    }
    return true;
}

// [turn] urls, secret_file and credential_lifetime_s; false (after one line on stderr) when one is wrong.
bool ApplyTurn(const toml::table& config, const app::DataDir& dir, app::ServeOptions& o) {
    auto bad = [&](const char* setting, const char* what) {
        std::fprintf(stderr, "crisisline serve: %s: turn.%s %s\n", dir.Config().c_str(), setting, what);
        return false;
    };
    const auto turn = config["turn"];
    if (!turn) return true;
    const toml::array* urls = turn["urls"].as_array();
    if (urls == nullptr || urls->empty()) return bad("urls", "must list the TURN servers, e.g. [\"turn:turn.example.org:3478\"]");
    for (const auto& item : *urls) {
        auto url = item.value<std::string>();
        if (!url || !(url->starts_with("turn:") || url->starts_with("turns:"))) {
            return bad("urls", "must be turn: or turns: URLs, e.g. \"turns:turn.example.org:443?transport=tcp\"");
        }
        o.turn.urls.push_back(*url);
    }
    auto secret_file = turn["secret_file"].value<std::string>();
    if (!secret_file || secret_file->empty()) return bad("secret_file", "must name the file holding coturn's static-auth-secret");
    o.turn_secret_file = secret_file->front() == '/' ? *secret_file : dir.root + "/" + *secret_file;
    if (turn["credential_lifetime_s"]) {
        auto lifetime = turn["credential_lifetime_s"].value<std::int64_t>();
        if (!lifetime || *lifetime < 60 || *lifetime > 86400) return bad("credential_lifetime_s", "must be 60 to 86400 seconds");
        o.turn.lifetime = std::chrono::seconds(*lifetime);
    }
    if (turn["relay_only"]) {
        auto relay_only = turn["relay_only"].value<bool>();
        if (!relay_only) return bad("relay_only", "must be true or false");
        o.turn.relay_only = *relay_only;
    }
    return true;
}

// Settings from <data>/crisisline.toml; flags given on the command line win.
bool ApplyConfig(const app::DataDir& dir, app::ServeOptions& o, const CLI::App& serve) {
    std::ifstream in(dir.Config());
    if (!in) return true;
    try {
        toml::table config = toml::parse(in, dir.Config());
        if (serve.count("--listen") == 0) o.listen = config["server"]["listen"].value_or(o.listen);
        if (serve.count("--io-threads") == 0) o.io_threads = config["server"]["io_threads"].value_or(o.io_threads);
        if (serve.count("--workers") == 0) o.workers = config["server"]["workers"].value_or(o.workers);
        if (serve.count("--static") == 0) o.static_dir = config["server"]["static_dir"].value_or(o.static_dir);
        if (!ApplyServerLimits(config, dir, o)) return false;
        if (!ApplyServerTls(config, dir, o, serve)) return false;
        if (!ApplyTurn(config, dir, o)) return false;
        auto telephony = telephony::ParseTelephonyConfig(config);
        if (!telephony) {
            std::fprintf(stderr, "crisisline serve: %s: %s %s\n", dir.Config().c_str(), telephony.error().field.c_str(),
                         telephony.error().message.c_str());
            return false;
        }
        o.telephony = *telephony;
        if (serve.count("--audit-checkpoint-s") == 0) {
            o.audit_checkpoint_s = config["audit"]["checkpoint_interval_s"].value_or(o.audit_checkpoint_s);
        }
        o.audit_checkpoint_file = config["audit"]["checkpoint_file"].value_or(o.audit_checkpoint_file);
        if (config["reports"]["requests_per_hour"]) {
            auto v = config["reports"]["requests_per_hour"].value<std::int64_t>();
            if (!v || *v < 1 || *v > 100000) {
                std::fprintf(stderr, "crisisline serve: %s: reports.requests_per_hour must be a whole number from 1 to 100000\n",
                             dir.Config().c_str());
                return false;
            }
            o.report_requests_per_hour = *v;
        }
        if (o.audit_checkpoint_s < 1 || o.audit_checkpoint_s > 86400) {
            std::fprintf(stderr, "crisisline serve: %s: audit.checkpoint_interval_s must be 1 to 86400 seconds\n",
                         dir.Config().c_str());
            return false;
        }
        o.staff_change_approval_s = config["staff"]["change_approval_s"].value_or(o.staff_change_approval_s);
        if (o.staff_change_approval_s < 1 || o.staff_change_approval_s > 7 * 86400) {
            std::fprintf(stderr, "crisisline serve: %s: staff.change_approval_s must be 1 to 604800 seconds\n",
                         dir.Config().c_str());
            return false;
        }
    } catch (const toml::parse_error& e) {
        std::fprintf(stderr, "crisisline serve: %s line %u: %s\n", dir.Config().c_str(),
                     static_cast<unsigned>(e.source().begin.line), std::string(e.description()).c_str());
        return false;
    }
    return true;
}

void SetUpLogging() {
    // One JSON object per line, UTC. Messages never carry personal data.
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})", spdlog::pattern_time_type::utc);
    if (const char* level = std::getenv("CRISISLINE_LOG_LEVEL")) spdlog::set_level(spdlog::level::from_str(level));
}

std::vector<std::string> SplitCommas(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

Result<store::StaffRow> FindByUsername(store::Store& store, const std::string& username) {
    auto row = records::ReadOne<std::optional<store::StaffRow>>(
        store, [&](store::Tx& tx) { return tx.GetStaffByUsername(username); });
    if (!row) return tl::unexpected(row.error());
    if (!*row) return Fail(ErrorCode::kNotFound, "no staff member with username '" + username + "'");
    return **row;
}

}  // namespace

int main(int argc, char** argv) {
    SetUpLogging();
    CLI::App cli{"crisisline: a confidential 24/7 crisis telephone line"};
    cli.require_subcommand(1);
    // Options of the whole program (--data) may also follow a subcommand: `crisisline init --data DIR` as much as
    // `crisisline --data DIR init`. Set before the subcommands are added, so they inherit it.
    cli.fallthrough();
    app::DataDir dir{"./var"};
    cli.add_option("--data", dir.root, "data directory (database, keys, configuration)")->capture_default_str();

    app::ServeOptions serve_options;
    auto* serve = cli.add_subcommand("serve", "run the service in the foreground until SIGTERM");
    serve->add_option("--listen", serve_options.listen, "address:port for the console and API")->capture_default_str();
    serve->add_option("--tls-certificate", serve_options.tls.certificate,
                      "PEM certificate (chain) for HTTPS; overrides [server] tls_certificate");
    serve->add_option("--tls-key", serve_options.tls.key,
                      "PEM private key for HTTPS, mode 0600; overrides [server] tls_key");
    serve->add_option("--io-threads", serve_options.io_threads,
                      "HTTP I/O threads (default: one per CPU the process may run on, e.g. 1 under taskset -c 1)")->check(CLI::Range(1, 64));
    serve->add_option("--workers", serve_options.workers, "request worker threads")->check(CLI::Range(1, 1024));
    serve->add_option("--static", serve_options.static_dir, "directory of the built console to serve");
    serve->add_option("--audit-checkpoint-s", serve_options.audit_checkpoint_s,
                      "seconds between signed checkpoints of the audit log's head (default 300)")
        ->check(CLI::Range(1, 86400));
    std::string sip_listen;
    serve->add_option("--sip-listen", sip_listen, "address:port for SIP (UDP and TCP), or 'off' for no telephony");

    bool demo = false;
    auto* init = cli.add_subcommand("init", "create the data directory, keys and database");
    init->add_flag("--demo", demo, "add a demo line, demo staff and a demo signposting directory");
    bool demo_history = false;
    init->add_flag("--demo-history", demo_history,
                   "with --demo: also FICTIONAL past calls (18 months for the reports, twelve weeks of timings for "
                   "Staffing), so the demo's reports and staffing plan are filled");

    auto* staff_cmd = cli.add_subcommand("staff", "manage staff accounts");
    staff_cmd->require_subcommand(1);
    std::string username, display_name, roles, lines = "", languages = "en", specialisms;
    auto* staff_add = staff_cmd->add_subcommand("add", "add a member of staff; the password comes from "
                                                       "CRISISLINE_PASSWORD or is generated and printed once");
    staff_add->add_option("--username", username, "sign-in name")->required();
    staff_add->add_option("--display-name", display_name, "the name given to callers")->required();
    staff_add->add_option("--roles", roles, "comma-separated: counsellor,supervisor,service_manager,admin,auditor")
        ->required();
    staff_add->add_option("--lines", lines, "comma-separated line ids served");
    staff_add->add_option("--languages", languages, "comma-separated: en,cy")->capture_default_str();
    staff_add->add_option("--specialisms", specialisms, "comma-separated specialisms");
    auto* staff_list = staff_cmd->add_subcommand("list", "list staff accounts");
    auto* staff_disable = staff_cmd->add_subcommand("disable", "disable an account (its history is kept)");
    staff_disable->add_option("--username", username, "sign-in name")->required();
    auto* staff_reset = staff_cmd->add_subcommand("reset-mfa", "clear an account's authenticator enrolment");
    staff_reset->add_option("--username", username, "sign-in name")->required();
    std::string sip_user;
    bool sip_revoke = false;
    auto* staff_sip = staff_cmd->add_subcommand(
        "sip-account", "issue the SIP account a counsellor's phone registers with; the new password is printed once "
                       "and replaces any earlier one");
    staff_sip->add_option("--username", username, "the staff member's sign-in name")->required();
    staff_sip->add_option("--sip-user", sip_user, "SIP user name, 3-32 of a-z 0-9 . _ - (default: the sign-in name)");
    staff_sip->add_flag("--revoke", sip_revoke, "remove the account instead; the phone can no longer register");

    std::string line_id, file;
    auto* dir_cmd = cli.add_subcommand("directory", "the signposting directory (HSDS JSON)");
    dir_cmd->require_subcommand(1);
    auto* dir_import = dir_cmd->add_subcommand("import", "import services from an HSDS JSON file");
    dir_import->add_option("--line", line_id, "line id")->required();
    dir_import->add_option("file", file, "HSDS JSON file")->required()->check(CLI::ExistingFile);
    auto* dir_export = dir_cmd->add_subcommand("export", "write a line's directory as HSDS JSON to stdout or a file");
    dir_export->add_option("--line", line_id, "line id")->required();
    dir_export->add_option("file", file, "output file (default: stdout)");

    std::string report_month, report_period, report_name = "all", report_format = "json";
    auto* report_cmd = cli.add_subcommand("report", "print a line's fixed reports for a month (quarter, year) under "
                                                    "disclosure control, as CSV or JSON; audited");
    report_cmd->add_option("--line", line_id, "line id")->required();
    auto* month_opt = report_cmd->add_option("--month", report_month, "YYYY-MM");
    report_cmd->add_option("--period", report_period, "YYYY-MM, YYYY-Qn or YYYY instead of --month")->excludes(month_opt);
    report_cmd->add_option("--report", report_name, "one report (service_levels, demand, themes, outcomes, actions, "
                                                    "follow_ups, escalations) or all")->capture_default_str();
    report_cmd->add_option("--format", report_format, "csv or json")->check(CLI::IsMember({"csv", "json"}))
        ->capture_default_str();

    auto* purge = cli.add_subcommand("purge", "crypto-shred contacts past their line's retention period");
    auto* audit_cmd = cli.add_subcommand("audit", "the audit log");
    audit_cmd->require_subcommand(1);
    auto* audit_verify = audit_cmd->add_subcommand(
        "verify", "check the keyed chain of the audit log, its append-only guards and, with --checkpoint, truncation");
    std::string checkpoint_file;
    audit_verify->add_option("--checkpoint", checkpoint_file,
                             "a file of signed checkpoints (the server's audit-checkpoints, or its log): the log must "
                             "still hold, unchanged, every entry each one recorded");
    std::string backup_path;
    auto* backup = cli.add_subcommand("backup", "copy the database consistently while the service runs");
    backup->add_option("destination", backup_path, "the new database file")->required();

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e);
    }

    if (*serve) {
        if (!ApplyConfig(dir, serve_options, *serve)) return 2;
        if (sip_listen == "off") {
            serve_options.telephony.enabled = false;
        } else if (!sip_listen.empty()) {
            if (auto hp = telephony::SplitHostPort(sip_listen, "--sip-listen"); !hp) {
                std::fprintf(stderr, "crisisline serve: --sip-listen %s\n", hp.error().message.c_str());
                return 2;
            }
            serve_options.telephony.listen = sip_listen;
        }
        return app::Serve(dir, serve_options);
    }
    if (*init) {
        if (demo_history && !demo) return Failed("init", "--demo-history needs --demo");
        return app::Init(dir, demo, demo_history);
    }

    auto opened = app::Opened::Open(dir, false);
    if (!opened) return Failed(cli.get_subcommands().front()->get_name(), opened.error().message);
    app::Opened& o = **opened;

    if (*staff_cmd) {
        staff::Accounts accounts(*o.store, *o.writer, o.clock);
        if (*staff_add) {
            const char* env = std::getenv("CRISISLINE_PASSWORD");
            std::string password = env ? env : crypto::RandomToken(12);
            nlohmann::json body = {{"username", username},        {"display_name", display_name},
                                   {"password", password},        {"roles", SplitCommas(roles)},
                                   {"lines", SplitCommas(lines)}, {"languages", SplitCommas(languages)},
                                   {"specialisms", SplitCommas(specialisms)}};
            auto who = staff::NewStaffFromFields(Fields(body, ""));
            if (!who) return Failed("staff add", "--" + who.error().field + " " + who.error().message);
            auto row = accounts.Create(*who, "system");
            if (!row) return Failed("staff add", row.error().message);
            std::printf("added %s (%s)%s%s\n", row->username.c_str(), row->id.c_str(), env ? "" : "; password: ",
                        env ? "" : password.c_str());
            return 0;
        }
        if (*staff_list) {
            auto rows = accounts.List();
            if (!rows) return Failed("staff list", rows.error().message);
            for (const auto& row : *rows) std::printf("%s\n", staff::StaffJson(row).dump().c_str());
            return 0;
        }
        auto row = FindByUsername(*o.store, username);
        if (!row) return Failed("staff", row.error().message);
        if (*staff_sip) {
            staff::SipAccounts sip(*o.store, *o.writer, o.keys, o.clock);
            if (sip_revoke) {
                auto r = sip.Revoke(row->id, "system");
                if (!r) return Failed("staff sip-account", r.error().message);
                std::printf("revoked the SIP account of %s\n", username.c_str());
                return 0;
            }
            const std::string name = sip_user.empty() ? row->username : sip_user;
            auto password = sip.Issue(row->id, name, "system");
            if (!password) {
                const auto& e = password.error();
                return Failed("staff sip-account", (e.field == "sip_username" ? "--sip-user " : "") + e.message);
            }
            std::printf("SIP account of %s: user %s\nSIP password (shown once): %s\n", username.c_str(), name.c_str(),
                        password->c_str());
            return 0;
        }
        if (*staff_disable) {
            auto r = accounts.Update(row->id, Fields(nlohmann::json{{"disabled", true}}, ""), "system");
            if (!r) return Failed("staff disable", r.error().message);
            std::printf("disabled %s; their history is kept\n", username.c_str());
            return 0;
        }
        auto r = accounts.ResetMfa(row->id, "system");
        if (!r) return Failed("staff reset-mfa", r.error().message);
        std::printf("%s will enrol a new authenticator at next sign-in\n", username.c_str());
        return 0;
    }
    if (*dir_cmd) {
        records::DirectoryBook book(o.Services());
        if (*dir_import) {
            std::ifstream in(file);
            std::stringstream text;
            text << in.rdbuf();
            auto n = book.Import("system", line_id, text.str());
            if (!n) {
                return Failed("directory import",
                              (n.error().field.empty() ? "" : n.error().field + ": ") + n.error().message);
            }
            std::printf("imported %zu services into line %s\n", *n, line_id.c_str());
            return 0;
        }
        auto exported = book.Export(line_id);
        if (!exported) return Failed("directory export", exported.error().message);
        if (file.empty()) {
            std::cout << *exported << "\n";
        } else {
            std::ofstream out(file);
            out << *exported << "\n";
            if (!out) return Failed("directory export", "cannot write " + file);
        }
        return 0;
    }
    if (*report_cmd) {
        const std::string period = report_period.empty() ? report_month : report_period;
        if (period.empty()) return Failed("report", "--month YYYY-MM (or --period) is required");
        if (!report_month.empty() && report_month.size() != 7) return Failed("report", "--month must be YYYY-MM");
        std::vector<std::string> names = records::ReportNames();
        if (report_name != "all") names = {report_name};
        records::Reports reports(o.Services());
        const staff::Principal system{"system", "crisisline report", {}, {}};
        nlohmann::json all = nlohmann::json::array();
        std::string csv;
        for (const auto& name : names) {
            TimeMs retry_after = 0;
            auto r = reports.Run(system, line_id, name, period, retry_after);
            if (!r) {
                const auto& e = r.error();
                const std::string option = e.field == "period" ? (report_month.empty() ? "--period " : "--month ")
                                           : e.field == "report" ? "--report "
                                           : e.field == "line"   ? "--line "
                                                                 : "";
                return Failed("report", option + e.message);
            }
            all.push_back(*r);
            std::stringstream lines(records::ReportCsv(*r));
            std::string text;
            bool header = true;
            while (std::getline(lines, text)) {
                if (!text.empty() && text.back() == '\r') text.pop_back();
                if (header) {
                    if (csv.empty()) csv += "report," + text + "\r\n";
                    header = false;
                    continue;
                }
                csv += name + "," + text + "\r\n";
            }
        }
        if (report_format == "csv") {
            std::cout << csv;
        } else {
            std::cout << (names.size() == 1 ? all[0] : nlohmann::json{{"reports", all}}).dump(2) << "\n";
        }
        return 0;
    }
    if (*purge) {
        auto services = o.Services();
        auto report = records::Purge(services);
        if (!report) return Failed("purge", report.error().message);
        std::printf("purged %lld contacts, %lld follow-ups, %lld escalations; anonymous counts kept; "
                    "%lld lapsed staff changes cleared\n",
                    static_cast<long long>(report->contacts), static_cast<long long>(report->follow_ups),
                    static_cast<long long>(report->escalations), static_cast<long long>(report->lapsed_staff_changes));
        return 0;
    }
    if (*audit_verify) {
        std::vector<audit::Checkpoint> checkpoints;
        if (!checkpoint_file.empty()) {
            auto read = records::ReadCheckpoints(checkpoint_file, *o.chain.key);
            if (!read) return Failed("audit verify", "--checkpoint " + read.error().message);
            if (read->empty()) return Failed("audit verify", "--checkpoint " + checkpoint_file + " holds no checkpoint");
            checkpoints = std::move(*read);
        }
        auto found = records::VerifyAudit(*o.store, o.chain, checkpoints);
        if (!found) return Failed("audit verify", found.error().message);
        // One line, as every failure: the chain's first fault, then the guards'.
        std::string guards;
        for (const auto& fault : found->guard_faults) {
            if (!guards.empty()) guards += ", ";
            guards += fault;
        }
        const audit::VerifyReport& report = found->chain;
        if (!report.ok) {
            return Failed("audit verify", "entry " + std::to_string(report.first_bad_seq) + ": " + report.reason +
                                              (guards.empty() ? "" : "; and the append-only triggers: " + guards));
        }
        if (!guards.empty()) {
            return Failed("audit verify", "the chain is intact, but the append-only triggers were tampered with: " + guards);
        }
        std::printf("audit log intact: %lld entries, head %s\n", static_cast<long long>(report.entries),
                    report.head_hash.c_str());
        if (found->last_checkpoint) {
            std::printf("nothing removed up to the checkpoint of %s (%lld entries; %lld checkpoints held)\n",
                        FormatTime(found->last_checkpoint->at).c_str(),
                        static_cast<long long>(found->last_checkpoint->seq), static_cast<long long>(report.checkpoints));
        } else {
            std::printf("no checkpoint given: entries removed from the end would not show (use --checkpoint FILE)\n");
        }
        return 0;
    }
    if (*backup) {
        auto r = o.store->Backup(backup_path);
        if (!r) return Failed("backup", r.error().message);
        std::printf("backed up to %s\n", backup_path.c_str());
        return 0;
    }
    return 0;
}
