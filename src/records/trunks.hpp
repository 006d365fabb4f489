#pragma once

#include <string>
#include <vector>

#include "core/fields.hpp"
#include "records/services.hpp"
#include "records/trunk.hpp"

namespace crisisline::records {

// The carrier trunks an administrator adds in the console (the ones in
// crisisline.toml are read from there and never stored). The digest password
// is sealed with the service key, bound to the trunk's name and user name, and
// leaves this class only towards telephony (List, LoadTelephonyBook). Every
// change is audited in the same transaction ("trunk.create", "trunk.update",
// "trunk.delete"). Blocking: call from a worker thread. Thread-safe.
class Trunks {
public:
    explicit Trunks(Services services) : s_(services) {}

    // Fields: name (1-40 of a-z, 0-9, '.', '_', '-'), allow (addresses), username,
    // password, outbound, encryption ("required", "preferred" (the default) or "off"). kInvalid naming the
    // field; kConflict (field "name") for a taken name.
    Result<Trunk> Create(const Fields& f, const std::string& actor);
    // Any of allow, username, password, outbound, encryption; the others are kept. A new user name needs
    // a new password; an empty user name removes the credentials. kNotFound for an unknown name.
    Result<Trunk> Update(const std::string& name, const Fields& f, const std::string& actor);
    Result<void> Remove(const std::string& name, const std::string& actor);
    // Every stored trunk, by name, with its password opened (kInternal if one does not open).
    Result<std::vector<Trunk>> List();

private:
    Services s_;
};

// Whether `name` is a valid trunk name for the console.
bool IsTrunkName(const std::string& name);

}  // namespace crisisline::records
