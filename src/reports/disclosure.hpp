#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.hpp"

namespace crisisline::reports {

// Disclosure control for published counts (docs/security.md, "Reports"). Pure logic: no I/O, no clock.
//
// Every count from 0 to `threshold` is suppressed (a zero too, so that a zero looks like any other small
// count); every other count is rounded to the nearest multiple of `rounding` (halves up). Totals are computed
// from the true counts and then rounded. Secondary suppression hides further cells until no hidden cell is
// determined by the table's row and column totals taken as exact (see Publish).
struct DisclosureRules {
    std::int64_t threshold = 7;
    std::int64_t rounding = 5;
};

// The floor no line may go below: suppress 0..7, round to 5.
constexpr DisclosureRules kMinimumRules{};

// The rules a line asks for: kInvalid naming "disclosure.threshold" or "disclosure.rounding" when either is
// below kMinimumRules or above 1000.
[[nodiscard]] Result<DisclosureRules> CheckRules(std::int64_t threshold, std::int64_t rounding);

// One published figure: a rounded count, or suppressed (value empty), or not applicable: a structural zero, a cell
// no contact can be in whatever the data (such as a region's calls before a period that starts after it began), which
// says nothing about anyone (value 0).
struct Figure {
    std::optional<std::int64_t> value;
    bool not_applicable = false;
    bool Suppressed() const { return !value.has_value(); }
    bool operator==(const Figure&) const = default;
};

// `n` rounded to the nearest multiple of `step` (halves up). REQUIRES: n >= 0, step >= 1.
std::int64_t RoundToNearest(std::int64_t n, std::int64_t step);

// A count that is not part of any total (non-exclusive categories, such as themes): suppressed or rounded.
Figure PublishCount(std::int64_t n, const DisclosureRules& rules);

// Mutually exclusive categories and their total (one contact in exactly one category).
struct PublishedList {
    std::vector<Figure> items;
    Figure total;
};

// Publishes `counts` and their sum. Secondary suppression: when exactly one of the items and the total is
// hidden, the smallest published item (or, with none left, the total) is hidden too, so no hidden figure is
// the total minus the others. REQUIRES: counts are >= 0.
PublishedList PublishList(const std::vector<std::int64_t>& counts, const DisclosureRules& rules);

// Rows x columns of true counts, each contact in exactly one cell. REQUIRES: every row has the same number of
// columns, at least one row and two columns, counts >= 0.
using CountTable = std::vector<std::vector<std::int64_t>>;

struct PublishedTable {
    std::vector<std::vector<Figure>> cells;  // [row][column]
    std::vector<Figure> row_totals;
    std::vector<Figure> column_totals;
    Figure total;
};

// Publishes a table with its margins. Primary suppression as above; then secondary suppression over the table
// extended by its margins: a hidden cell is determined by the margins exactly when it is a bridge of the
// bipartite graph whose vertices are the rows and columns (margins included) and whose edges are the hidden
// cells, so cells are hidden (interior cells first, smallest first, in the bridge's row or column) until that
// graph has no bridge.
//
// `structural` (empty, or the shape of `counts`) marks structural zeros: published as not applicable, never hidden,
// and known exactly, as a published figure is; so is a row or column total over structural zeros only.
// REQUIRES: a structural cell's count is 0.
PublishedTable PublishTable(const CountTable& counts,
                            const DisclosureRules& rules,
                            const std::vector<std::vector<bool>>& structural = {});

// Counts nested in groups whose totals another table publishes (a region's forces under that region's total in
// the demand table): group g's items add up to the true count behind `totals[g]`, and `totals[g]` is that table's
// published figure of it (shown or hidden), used as it is. Primary suppression as PublishCount; then, per group:
// when the total is shown and exactly one item is hidden, the smallest shown item is hidden too (else the hidden
// one is the total minus the others); when the total is hidden and no item is, the smallest item is hidden (else
// the items add up to the hidden total). So no hidden item or hidden total is a shown total minus shown items.
// With `last_is_remainder`, the last item of a group of several is what is left of the total (e.g. "force not
// recorded", nearly always zero, as anyone may guess): it is published as the others are, but it never counts as the
// second hidden figure, and is never the one hidden to protect another. When no item is left to hide, the group is
// left as it is. REQUIRES: counts.size() == totals.size(), counts >= 0, every group has at least one item.
std::vector<std::vector<Figure>> PublishNested(const std::vector<std::vector<std::int64_t>>& counts,
                                               const std::vector<Figure>& totals,
                                               const DisclosureRules& rules,
                                               bool last_is_remainder = false);

// Which cells of the extended grid ((rows+1) x (columns+1), the last row and column being the margins) are
// hidden and determined by the margins: the bridges described above. Exposed for tests.
std::vector<std::pair<size_t, size_t>> DeterminedCells(const std::vector<std::vector<bool>>& hidden);

}  // namespace crisisline::reports
