#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Small text helpers shared by the directory's source files.
namespace crisisline::directory::detail {

// ASCII letters lower-cased; other bytes (UTF-8 included) unchanged.
std::string Lower(std::string_view text);

// The day number (days since 1970-01-01) of a "YYYY-MM-DD" calendar date, or
// nullopt when it is not one (wrong shape, or a day that does not exist).
std::optional<std::int64_t> DayNumber(std::string_view date);

// The service areas a service may name: kNational, then every region name but "National".
const std::vector<std::string>& ServiceAreaChoices();

}  // namespace crisisline::directory::detail
