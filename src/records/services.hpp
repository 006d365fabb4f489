#pragma once

#include "core/clock.hpp"
#include "crypto/crypto.hpp"
#include "store/store.hpp"
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

}  // namespace crisisline::records
