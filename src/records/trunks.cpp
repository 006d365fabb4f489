#include "records/trunks.hpp"

#include <algorithm>

#include "crypto/envelope.hpp"

namespace crisisline::records {

namespace {

// The sealed password opens only for the trunk and user name it was sealed for.
std::string SealingContext(const std::string& name, const std::string& username) {
    return "crisisline trunk password\n" + name + "\n" + username;
}

store::TrunkRow RowOf(const crypto::SecretKey& key, const Trunk& t, TimeMs created, TimeMs now) {
    store::TrunkRow row;
    row.name = t.name;
    row.allow_json = nlohmann::json(t.allow).dump();
    row.username = t.username;
    if (!t.username.empty()) row.secret_sealed = crypto::SealWithKey(key, t.password, SealingContext(t.name, t.username));
    row.outbound = t.outbound;
    row.encryption = EncryptionName(t.encryption);
    row.created_at = created;
    row.updated_at = now;
    return row;
}

Result<Trunk> TrunkOf(const crypto::SecretKey& key, const store::TrunkRow& row) {
    Trunk t;
    t.name = row.name;
    const auto allow = nlohmann::json::parse(row.allow_json, nullptr, false);
    if (!allow.is_array()) return Fail(ErrorCode::kInternal, "the stored addresses of trunk " + row.name + " are unreadable");
    for (const auto& a : allow) {
        if (!a.is_string()) return Fail(ErrorCode::kInternal, "the stored addresses of trunk " + row.name + " are unreadable");
        t.allow.push_back(a.get<std::string>());
    }
    t.username = row.username;
    if (!row.username.empty()) {
        auto password = crypto::OpenWithKey(key, row.secret_sealed, SealingContext(row.name, row.username));
        if (!password) {
            return Fail(ErrorCode::kInternal,
                        "the password of trunk " + row.name + " cannot be opened with the service key; set a new one");
        }
        t.password = std::move(*password);
    }
    t.outbound = row.outbound;
    auto encryption = ParseEncryption(row.encryption, "encryption");
    if (!encryption) return Fail(ErrorCode::kInternal, "the stored encryption of trunk " + row.name + " is unreadable");
    t.encryption = *encryption;
    return t;
}

// Reads the fields present in `f` into `t`.
Result<void> ReadInto(const Fields& f, Trunk& t) {
    if (f.Has("allow")) {
        auto allow = f.StringList("allow", kMaxTrunkAddresses, 64);
        if (!allow) return tl::unexpected(allow.error());
        t.allow = std::move(*allow);
    }
    if (auto v = f.OptionalString("username", kMaxTrunkUsername); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        t.username = **v;
    }
    if (auto v = f.OptionalString("password", kMaxTrunkPassword); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        t.password = **v;
    }
    if (auto v = f.OptionalString("outbound", kMaxTrunkOutbound); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        t.outbound = **v;
    }
    if (auto v = f.OptionalString("encryption", 16); !v) {
        return tl::unexpected(v.error());
    } else if (v->has_value()) {
        auto encryption = ParseEncryption(**v, "encryption");
        if (!encryption) return tl::unexpected(encryption.error());
        t.encryption = *encryption;
    }
    return {};
}

}  // namespace

bool IsTrunkName(const std::string& name) {
    return !name.empty() && name.size() <= kMaxTrunkName && std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
           });
}

Result<Trunk> Trunks::Create(const Fields& f, const std::string& actor) {
    if (auto k = f.OnlyKnown({"name", "allow", "username", "password", "outbound", "encryption"}); !k) return tl::unexpected(k.error());
    auto name = f.String("name", kMaxTrunkName);
    if (!name) return tl::unexpected(name.error());
    if (!IsTrunkName(*name)) return Fail(ErrorCode::kInvalid, "name", "must be 1-40 of a-z, 0-9, '.', '_' and '-'");
    Trunk trunk;
    trunk.name = *name;
    if (auto r = ReadInto(f, trunk); !r) return tl::unexpected(r.error());
    if (auto ok = CheckTrunk(trunk, ""); !ok) return tl::unexpected(ok.error());
    const TimeMs now = s_.clock.Now();
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto existing = tx.GetTrunk(trunk.name);
        if (!existing) return tl::unexpected(existing.error());
        if (*existing) return Fail(ErrorCode::kConflict, "name", "a trunk with this name already exists");
        if (auto p = tx.PutTrunk(RowOf(s_.keys.Service(), trunk, now, now)); !p) return p;
        return writer::AppendAudit(tx, now, {actor, "trunk.create", "", "trunk", trunk.name, "administration"});
    });
    if (!written) return tl::unexpected(written.error());
    return trunk;
}

Result<Trunk> Trunks::Update(const std::string& name, const Fields& f, const std::string& actor) {
    if (f.Has("name")) return Fail(ErrorCode::kInvalid, "name", "a trunk's name cannot change; add a new trunk instead");
    if (auto k = f.OnlyKnown({"allow", "username", "password", "outbound", "encryption"}); !k) return tl::unexpected(k.error());
    const TimeMs now = s_.clock.Now();
    Trunk updated;
    auto written = s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        auto row = tx.GetTrunk(name);
        if (!row) return tl::unexpected(row.error());
        if (!*row) return Fail(ErrorCode::kNotFound, "no trunk with this name was added in the console");
        auto current = TrunkOf(s_.keys.Service(), **row);
        if (!current) return tl::unexpected(current.error());
        Trunk next = *current;
        if (auto r = ReadInto(f, next); !r) return r;
        if (next.username.empty()) {
            next.password.clear();  // no user name: the credentials go
        } else if (next.username != current->username && !f.Has("password")) {
            return Fail(ErrorCode::kInvalid, "password", "is needed when the username changes");
        }
        if (auto ok = CheckTrunk(next, ""); !ok) return ok;
        updated = next;
        if (auto p = tx.PutTrunk(RowOf(s_.keys.Service(), updated, (*row)->created_at, now)); !p) return p;
        return writer::AppendAudit(tx, now, {actor, "trunk.update", "", "trunk", name, "administration"});
    });
    if (!written) return tl::unexpected(written.error());
    return updated;
}

Result<void> Trunks::Remove(const std::string& name, const std::string& actor) {
    const TimeMs now = s_.clock.Now();
    return s_.writer.Run([&](store::Tx& tx) -> Result<void> {
        if (auto d = tx.DeleteTrunk(name); !d) {
            if (d.error().code == ErrorCode::kNotFound) {
                return Fail(ErrorCode::kNotFound, "no trunk with this name was added in the console");
            }
            return d;
        }
        return writer::AppendAudit(tx, now, {actor, "trunk.delete", "", "trunk", name, "administration"});
    });
}

Result<std::vector<Trunk>> Trunks::List() {
    auto rows = ReadOne<std::vector<store::TrunkRow>>(s_.store, [](store::Tx& tx) { return tx.ListTrunks(); });
    if (!rows) return tl::unexpected(rows.error());
    std::vector<Trunk> out;
    for (const auto& row : *rows) {
        auto t = TrunkOf(s_.keys.Service(), row);
        if (!t) return tl::unexpected(t.error());
        out.push_back(std::move(*t));
    }
    return out;
}

}  // namespace crisisline::records
