#include "reports/disclosure.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <limits>
#include <string>

namespace crisisline::reports {

namespace {

constexpr std::int64_t kMaxRule = 1000;

bool Hidden(std::int64_t n, const DisclosureRules& rules) { return n <= rules.threshold; }

Figure Shown(std::int64_t n, bool hidden, const DisclosureRules& rules) {
    if (hidden) return {};
    return {RoundToNearest(n, rules.rounding)};
}

// Bridges of an undirected simple graph (Tarjan's low-link), as edge indices.
struct Graph {
    std::vector<std::vector<std::pair<size_t, size_t>>> adjacent;  // vertex -> (neighbour, edge index)
};

std::vector<size_t> Bridges(const Graph& g) {
    const size_t n = g.adjacent.size();
    std::vector<int> order(n, -1);
    std::vector<int> low(n, 0);
    std::vector<size_t> bridges;
    int next = 0;
    std::function<void(size_t, size_t)> visit = [&](size_t v, size_t via_edge) {
        order[v] = low[v] = next++;
        for (const auto& [w, edge] : g.adjacent[v]) {
            if (edge == via_edge) continue;
            if (order[w] < 0) {
                visit(w, edge);
                low[v] = std::min(low[v], low[w]);
                if (low[w] > order[v]) bridges.push_back(edge);
            } else {
                low[v] = std::min(low[v], order[w]);
            }
        }
    };
    for (size_t v = 0; v < n; ++v) {
        if (order[v] < 0) visit(v, std::numeric_limits<size_t>::max());
    }
    return bridges;
}

}  // namespace

Result<DisclosureRules> CheckRules(std::int64_t threshold, std::int64_t rounding) {
    if (threshold < kMinimumRules.threshold || threshold > kMaxRule) {
        return Fail(ErrorCode::kInvalid, "disclosure.threshold",
                    "must be from " + std::to_string(kMinimumRules.threshold) + " to " + std::to_string(kMaxRule) +
                        " (counts up to it are suppressed; no line may suppress less)");
    }
    if (rounding < kMinimumRules.rounding || rounding > kMaxRule) {
        return Fail(ErrorCode::kInvalid, "disclosure.rounding",
                    "must be from " + std::to_string(kMinimumRules.rounding) + " to " + std::to_string(kMaxRule) +
                        " (counts are rounded to a multiple of it; no line may round less)");
    }
    return DisclosureRules{threshold, rounding};
}

std::int64_t RoundToNearest(std::int64_t n, std::int64_t step) {
    assert(n >= 0 && step >= 1);  // counts are never negative; the rules are checked
    return (n + step / 2) / step * step;
}

Figure PublishCount(std::int64_t n, const DisclosureRules& rules) { return Shown(n, Hidden(n, rules), rules); }

PublishedList PublishList(const std::vector<std::int64_t>& counts, const DisclosureRules& rules) {
    std::int64_t total = 0;
    for (auto n : counts) total += n;
    std::vector<bool> hidden(counts.size());
    size_t hidden_count = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
        hidden[i] = Hidden(counts[i], rules);
        hidden_count += hidden[i] ? 1 : 0;
    }
    bool total_hidden = Hidden(total, rules);
    hidden_count += total_hidden ? 1 : 0;
    if (hidden_count == 1) {
        // The one hidden figure would be the total minus the rest: hide the smallest other item with it.
        size_t smallest = counts.size();
        for (size_t i = 0; i < counts.size(); ++i) {
            if (!hidden[i] && (smallest == counts.size() || counts[i] < counts[smallest])) smallest = i;
        }
        if (smallest < counts.size()) {
            hidden[smallest] = true;
        } else {
            total_hidden = true;
        }
    }
    PublishedList out;
    for (size_t i = 0; i < counts.size(); ++i) out.items.push_back(Shown(counts[i], hidden[i], rules));
    out.total = Shown(total, total_hidden, rules);
    return out;
}

namespace {

// Hides the smallest of the first `n` counts not hidden yet; false when every one is hidden already.
bool HideSmallestShown(const std::vector<std::int64_t>& counts, size_t n, std::vector<bool>& hidden) {
    size_t smallest = n;
    for (size_t i = 0; i < n; ++i) {
        if (!hidden[i] && (smallest == n || counts[i] < counts[smallest])) smallest = i;
    }
    if (smallest == n) return false;
    hidden[smallest] = true;
    return true;
}

}  // namespace

std::vector<std::vector<Figure>> PublishNested(const std::vector<std::vector<std::int64_t>>& counts,
                                               const std::vector<Figure>& totals,
                                               const DisclosureRules& rules,
                                               bool last_is_remainder) {
    assert(counts.size() == totals.size());  // one published total per group
    std::vector<std::vector<Figure>> out;
    out.reserve(counts.size());
    for (size_t g = 0; g < counts.size(); ++g) {
        const auto& items = counts[g];
        assert(!items.empty());  // a group with no item has nothing to publish
        // The items that may cover one another: all but a remainder (unless it is the group's only item).
        const size_t covers = last_is_remainder && items.size() > 1 ? items.size() - 1 : items.size();
        std::vector<bool> hidden(items.size());
        size_t hidden_covers = 0;
        for (size_t i = 0; i < items.size(); ++i) {
            hidden[i] = Hidden(items[i], rules);
            if (i < covers && hidden[i]) ++hidden_covers;
        }
        const bool total_hidden = totals[g].Suppressed() && !totals[g].not_applicable;
        if ((!total_hidden && hidden_covers == 1) || (total_hidden && hidden_covers == 0)) {
            HideSmallestShown(items, covers, hidden);
        }
        std::vector<Figure> published;
        published.reserve(items.size());
        for (size_t i = 0; i < items.size(); ++i) published.push_back(Shown(items[i], hidden[i], rules));
        out.push_back(std::move(published));
    }
    return out;
}

std::vector<std::pair<size_t, size_t>> DeterminedCells(const std::vector<std::vector<bool>>& hidden) {
    const size_t rows = hidden.size();
    const size_t columns = rows ? hidden[0].size() : 0;
    // The margins turn into ordinary cells by flipping the sign of the margin row and column: then every row
    // and every column of the extended grid sums to zero, and the hidden cells' freedom is the cycle space of
    // this graph. A cell on no cycle (a bridge) has one possible value.
    Graph g;
    g.adjacent.resize(rows + columns);
    std::vector<std::pair<size_t, size_t>> edges;
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < columns; ++c) {
            if (!hidden[r][c]) continue;
            g.adjacent[r].push_back({rows + c, edges.size()});
            g.adjacent[rows + c].push_back({r, edges.size()});
            edges.emplace_back(r, c);
        }
    }
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t e : Bridges(g)) out.push_back(edges[e]);
    std::sort(out.begin(), out.end());
    return out;
}

PublishedTable PublishTable(const CountTable& counts,
                            const DisclosureRules& rules,
                            const std::vector<std::vector<bool>>& structural) {
    assert(!counts.empty() && counts[0].size() >= 2);  // a one-column table is a list: PublishList
    assert(structural.empty() || structural.size() == counts.size());  // no mask, or one entry per cell
    const size_t rows = counts.size();
    const size_t columns = counts[0].size();
    // A margin over structural zeros only is one too (a column that no contact can be in).
    auto is_structural = [&](size_t r, size_t c) {
        if (structural.empty() || (r == rows && c == columns)) return false;
        if (r < rows && c < columns) return static_cast<bool>(structural[r][c]);
        for (size_t i = 0; i < (r == rows ? rows : columns); ++i) {
            if (!(r == rows ? structural[i][c] : structural[r][i])) return false;
        }
        return true;
    };
    // The extended grid: true counts with the margins as the last row and column.
    std::vector<std::vector<std::int64_t>> grid(rows + 1, std::vector<std::int64_t>(columns + 1, 0));
    for (size_t r = 0; r < rows; ++r) {
        assert(counts[r].size() == columns);  // a rectangular table
        for (size_t c = 0; c < columns; ++c) {
            grid[r][c] = counts[r][c];
            grid[r][columns] += counts[r][c];
            grid[rows][c] += counts[r][c];
            grid[rows][columns] += counts[r][c];
        }
    }
    std::vector<std::vector<bool>> hidden(rows + 1, std::vector<bool>(columns + 1));
    for (size_t r = 0; r <= rows; ++r) {
        for (size_t c = 0; c <= columns; ++c) {
            assert(!is_structural(r, c) || grid[r][c] == 0);  // a structural zero holds no contact
            hidden[r][c] = !is_structural(r, c) && Hidden(grid[r][c], rules);
        }
    }
    for (;;) {
        auto determined = DeterminedCells(hidden);
        if (determined.empty()) break;
        const auto [br, bc] = determined.front();
        // Hide one more figure beside it, the smallest first: in its row or column, or anywhere when those are
        // all hidden. Each pass hides one more, and a grid hidden whole has no
        // bridge, so this ends.
        std::optional<std::pair<size_t, size_t>> best;
        // Interior cells first, then margins, the grand total last (other reports publish the same total).
        auto tier = [&](size_t r, size_t c) { return (r == rows ? 1 : 0) + (c == columns ? 1 : 0); };
        auto consider = [&](size_t r, size_t c) {
            if (hidden[r][c] || is_structural(r, c)) return;
            if (!best) {
                best = {r, c};
                return;
            }
            const int t = tier(r, c), best_tier = tier(best->first, best->second);
            if (t != best_tier ? t < best_tier : grid[r][c] < grid[best->first][best->second]) best = {r, c};
        };
        for (size_t c = 0; c <= columns; ++c) consider(br, c);
        for (size_t r = 0; r <= rows; ++r) consider(r, bc);
        if (!best) {
            for (size_t r = 0; r <= rows; ++r) {
                for (size_t c = 0; c <= columns; ++c) consider(r, c);
            }
        }
        assert(best);  // a bridge means some cell other than a structural zero is still shown
        if (!best) break;
        hidden[best->first][best->second] = true;
    }
    PublishedTable out;
    out.cells.resize(rows);
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < columns; ++c) {
            out.cells[r].push_back(is_structural(r, c) ? Figure{0, true} : Shown(grid[r][c], hidden[r][c], rules));
        }
        out.row_totals.push_back(is_structural(r, columns) ? Figure{0, true}
                                                           : Shown(grid[r][columns], hidden[r][columns], rules));
    }
    for (size_t c = 0; c < columns; ++c) {
        out.column_totals.push_back(is_structural(rows, c) ? Figure{0, true} : Shown(grid[rows][c], hidden[rows][c], rules));
    }
    out.total = Shown(grid[rows][columns], hidden[rows][columns], rules);
    return out;
}

}  // namespace crisisline::reports
