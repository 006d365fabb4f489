#pragma once

#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"
#include "writer/audit_trail.hpp"
#include "writer/writer.hpp"

namespace crisisline::records {

// What every records component is built from. All references outlive the components.
struct Services {
    store::Store& store;
    writer::StorageWriter& writer;
    crypto::Keyring& keys;
    const Clock& clock;
};

// Reads inside one snapshot and hands back what `read` produced.
template <class T, class F>
Result<T> ReadOne(store::Store& store, F&& read) {
    T out{};
    auto r = store.Read([&](store::Tx& tx) -> Result<void> {
        auto v = read(tx);
        if (!v) return tl::unexpected(v.error());
        out = std::move(*v);
        return {};
    });
    if (!r) return tl::unexpected(r.error());
    return out;
}

// Reads one record and appends `event` to the audit log in the same durable
// transaction, so no content leaves storage without its trail. kNotFound with
// `missing` when `get` finds nothing. Blocking (a storage-writer unit).
template <class Row, class Get>
Result<Row> ReadAudited(Services& s, Get&& get, const writer::AuditEvent& event, const char* missing) {
    Row row;
    auto audited = s.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto found = get(tx);
        if (!found) return tl::unexpected(found.error());
        if (!*found) return Fail(ErrorCode::kNotFound, missing);
        row = std::move(**found);
        return writer::AppendAudit(tx, s.clock.Now(), event);
    });
    if (!audited) return tl::unexpected(audited.error());
    return row;
}

}  // namespace crisisline::records
