#include "core/error.hpp"

namespace crisisline {

const char* ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalid: return "invalid";
        case ErrorCode::kNotFound: return "not_found";
        case ErrorCode::kConflict: return "conflict";
        case ErrorCode::kUnauthenticated: return "unauthenticated";
        case ErrorCode::kForbidden: return "forbidden";
        case ErrorCode::kTooLarge: return "too_large";
        case ErrorCode::kThrottled: return "throttled";
        case ErrorCode::kUnavailable: return "unavailable";
        case ErrorCode::kInternal: return "internal";
    }
    return "internal";
}

}  // namespace crisisline
