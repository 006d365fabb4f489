#include <cstdio>
#include <filesystem>
#include <fstream>

#include "app.hpp"
#include "directory/directory.hpp"
#include "records/directory_book.hpp"
#include "records/lines.hpp"
#include "staff/accounts.hpp"

namespace crisisline::app {

namespace {

constexpr const char* kDemoConfig = R"(# crisisline configuration. Command-line flags override these settings.
[server]
# Where the console and API listen. Put a TLS-terminating proxy in front for anything but loopback.
listen = "127.0.0.1:8080"
# Threads for HTTP I/O, and workers for requests (storage and password hashing block).
io_threads = 2
workers = 32
)";

struct DemoPerson {
    const char* username;
    const char* display_name;
    std::vector<std::string> roles;
    std::vector<std::string> languages;
    std::vector<std::string> specialisms;
};

Result<void> CreateDemo(Opened& o) {
    records::Services s = o.Services();
    records::Lines lines(s);
    // Fictional demo line: the number is from Ofcom's range reserved for drama, so it rings nobody.
    nlohmann::json line = {{"id", "police"},
                           {"name", "Police Mental Health Crisis Line (demo)"},
                           {"numbers", {"+448081570000"}},
                           {"hours", "24 hours a day, 7 days a week, 365 days a year"},
                           {"regions", {"national"}},
                           {"languages", {"en", "cy"}},
                           {"audience", "police officers, police staff, special constables and police volunteers "
                                        "in England and Wales"}};
    if (auto l = lines.Create(Fields(line, ""), "system"); !l) return tl::unexpected(l.error());

    staff::Accounts accounts(*o.store, *o.writer, o.clock);
    const DemoPerson people[] = {
        {"demo.counsellor", "Sam (demo counsellor)", {"counsellor"}, {"en"}, {"bereavement_by_suicide"}},
        {"demo.welsh", "Ceri (demo counsellor)", {"counsellor"}, {"en", "cy"}, {}},
        {"demo.supervisor", "Jo (demo supervisor)", {"supervisor", "counsellor"}, {"en"}, {}},
        {"demo.manager", "Alex (demo service manager)", {"service_manager"}, {"en"}, {}},
        {"demo.admin", "Pat (demo administrator)", {"admin"}, {"en"}, {}},
        {"demo.auditor", "Lee (demo auditor)", {"auditor"}, {"en"}, {}},
    };
    std::printf("\nDemo staff (demo data; shown once; first sign-in enrols an authenticator app):\n");
    for (const auto& p : people) {
        std::string password = crypto::RandomToken(12);
        staff::NewStaff who{p.username, p.display_name, password, {p.roles, {"police"}, p.languages, p.specialisms}};
        auto created = accounts.Create(who, "system");
        if (!created) return tl::unexpected(created.error());
        std::printf("  %-16s %-28s password: %s\n", p.username, p.display_name, password.c_str());
    }
    records::DirectoryBook book(s);
    auto added = book.Add("system", "police", directory::DemoServices());
    if (!added) return tl::unexpected(added.error());
    std::printf("\nSignposting directory: %zu demo services added, marked \"demo data — verify before use\".\n", *added);
    return {};
}

}  // namespace

int Init(const DataDir& dir, bool demo) {
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
    std::printf("crisisline: initialised %s (database, service key with mode 0600, configuration)\n", dir.root.c_str());
    if (demo) {
        if (auto d = CreateDemo(**opened); !d) {
            std::fprintf(stderr, "crisisline init: demo data: %s\n", d.error().message.c_str());
            return 1;
        }
    }
    return 0;
}

}  // namespace crisisline::app
