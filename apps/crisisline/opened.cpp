#include <sys/stat.h>

#include <filesystem>

#include "app.hpp"
#include "records/audit_chain.hpp"

namespace crisisline::app {

Result<std::unique_ptr<Opened>> Opened::Open(const DataDir& dir, bool create) {
    if (auto init = crypto::Initialise(); !init) return tl::unexpected(init.error());
    std::error_code ec;
    if (!std::filesystem::exists(dir.Database(), ec) && !create) {
        return Fail(ErrorCode::kUnavailable,
                    "no crisisline database in " + dir.root + "; run 'crisisline init --data " + dir.root + "' first");
    }
    if (create) {
        for (const auto& d : {dir.root, dir.Keys()}) {
            std::filesystem::create_directories(d, ec);
            if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + d + ": " + ec.message());
            ::chmod(d.c_str(), 0700);
        }
    }
    auto opened = std::make_unique<Opened>(dir.Keys());
    if (auto k = opened->keys.LoadService(create); !k) return tl::unexpected(k.error());
    auto store = store::OpenSqlite({dir.Database()});
    if (!store) return tl::unexpected(store.error());
    opened->store = std::move(*store);
    auto chain = records::OpenAuditChain(*opened->store, opened->keys, dir.Keys());
    if (!chain) return tl::unexpected(chain.error());
    opened->chain = *chain;
    opened->writer = std::make_unique<writer::StorageWriter>(*opened->store, opened->chain);
    return opened;
}

Result<void> Opened::CheckLineKeys() {
    std::vector<std::string> ids;
    auto read = store->Read([&ids](store::Tx& tx) -> Result<void> {
        auto lines = tx.ListLines();
        if (!lines) return tl::unexpected(lines.error());
        for (const auto& line : *lines) ids.push_back(line.id);
        return {};
    });
    if (!read) return tl::unexpected(read.error());
    return keys.CheckLines(ids);
}

Opened::~Opened() {
    if (writer) writer->Stop();
}

}  // namespace crisisline::app
