#pragma once

#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace crisisline {

// What went wrong, in words the HTTP edge maps onto a status code. Every
// fallible function in crisisline returns Result<T>; exceptions are kept for
// start-up and configuration only.
enum class ErrorCode {
    kInvalid,          // the caller sent something malformed or out of range (4xx, names a field)
    kNotFound,         // no such record in this line
    kConflict,         // the record changed underneath, or already exists
    kUnauthenticated,  // no valid session
    kForbidden,        // authenticated, but role x line does not allow it
    kTooLarge,         // body or field over its documented limit
    kThrottled,        // too many attempts; try later
    kUnavailable,      // the service cannot take the request now (shutting down, storage busy)
    kInternal,         // a bug or an environment failure; never carries personal data
};

struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string field;    // the request field at fault, or empty
    std::string message;  // one line a person can act on; never contains personal data
    bool audited = false;  // a refusal already written to the audit log (the HTTP edge then adds no entry)
};

template <class T>
using Result = tl::expected<T, Error>;

[[nodiscard]] inline tl::unexpected<Error> Fail(ErrorCode code, std::string field, std::string message) {
    return tl::unexpected<Error>(Error{code, std::move(field), std::move(message)});
}

[[nodiscard]] inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
    return Fail(code, std::string(), std::move(message));
}

// `e`, marked as already in the audit log.
[[nodiscard]] inline tl::unexpected<Error> AlreadyAudited(Error e) {
    e.audited = true;
    return tl::unexpected<Error>(std::move(e));
}

// The stable lower_snake name of a code, used in JSON error bodies.
const char* ErrorCodeName(ErrorCode code);

}  // namespace crisisline
