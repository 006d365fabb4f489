#include "reports/disclosure.hpp"

#include <cmath>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

namespace crisisline::reports {
namespace {

TEST(DisclosureTest, SuppressesZeroToSevenAndRoundsTheRestToFive) {
    const struct {
        std::int64_t n;
        std::optional<std::int64_t> shown;
    } cases[] = {{0, {}}, {1, {}}, {7, {}}, {8, 10}, {10, 10}, {12, 10}, {13, 15}, {17, 15}, {18, 20}, {31, 30}};
    for (const auto& c : cases) {
        EXPECT_EQ(PublishCount(c.n, {}).value, c.shown) << "count " << c.n;
    }
}

TEST(DisclosureTest, ZeroAndSmallCountsLookTheSame) {
    EXPECT_EQ(PublishCount(0, {}), PublishCount(3, {}));
    EXPECT_TRUE(PublishCount(0, {}).Suppressed());
}

TEST(DisclosureTest, StricterRulesOfALineApply) {
    const DisclosureRules strict{10, 10};
    EXPECT_TRUE(PublishCount(9, strict).Suppressed());
    EXPECT_EQ(PublishCount(14, strict).value, 10);
    EXPECT_EQ(PublishCount(15, strict).value, 20) << "halves round up";
}

TEST(DisclosureTest, RulesBelowTheFloorAreRefusedNamingTheField) {
    EXPECT_TRUE(CheckRules(7, 5));
    auto low = CheckRules(4, 5);
    ASSERT_FALSE(low);
    EXPECT_EQ(low.error().field, "disclosure.threshold");
    auto fine = CheckRules(7, 1);
    ASSERT_FALSE(fine);
    EXPECT_EQ(fine.error().field, "disclosure.rounding");
    EXPECT_FALSE(CheckRules(7, 5000));
}

TEST(DisclosureTest, TotalsComeFromTheTrueCountsThenRounded) {
    auto list = PublishList({8, 8, 8}, {});
    EXPECT_EQ(list.items[0].value, 10);
    EXPECT_EQ(list.total.value, 25) << "24 rounded, not 10 + 10 + 10";
}

TEST(DisclosureTest, ALoneSuppressedItemTakesTheSmallestOtherWithIt) {
    // The leak: 31 - 8 - 15 - 7 = 1 (here without the 7, so one item alone is small).
    auto list = PublishList({15, 8, 1, 20}, {});
    EXPECT_TRUE(list.items[2].Suppressed());
    EXPECT_TRUE(list.items[1].Suppressed()) << "the smallest published item is hidden with it";
    EXPECT_FALSE(list.items[0].Suppressed());
    EXPECT_EQ(list.total.value, 45);
}

TEST(DisclosureTest, AListAllSmallHidesItsTotalToo) {
    auto list = PublishList({9, 3}, {});
    EXPECT_TRUE(list.items[0].Suppressed());
    EXPECT_TRUE(list.items[1].Suppressed());
    EXPECT_FALSE(list.total.Suppressed()) << "two hidden items cannot be told apart from a total of 12";
    auto tiny = PublishList({5, 40}, {});
    EXPECT_TRUE(tiny.items[0].Suppressed());
    EXPECT_TRUE(tiny.items[1].Suppressed());
}

TEST(DisclosureTest, AListWhoseOnlyHiddenFigureIsTheTotalHidesAnItem) {
    auto list = PublishList({0, 0, 0}, {});
    EXPECT_TRUE(list.total.Suppressed());
    for (const auto& f : list.items) EXPECT_TRUE(f.Suppressed());
}

// Independent of the bridge argument: Gaussian elimination over the margin equations, taking every published
// figure as exact (stronger than the truth, since they are rounded). Hidden cell j is determined exactly when
// the unit vector e_j lies in the row space of the equations restricted to the hidden cells.
std::vector<std::pair<size_t, size_t>> DeterminedByElimination(const std::vector<std::vector<bool>>& hidden) {
    const size_t rows = hidden.size(), columns = hidden[0].size();
    std::vector<std::pair<size_t, size_t>> unknowns;
    for (size_t r = 0; r < rows; ++r) {
        for (size_t c = 0; c < columns; ++c) {
            if (hidden[r][c]) unknowns.emplace_back(r, c);
        }
    }
    auto index = [&](size_t r, size_t c) -> int {
        for (size_t i = 0; i < unknowns.size(); ++i) {
            if (unknowns[i] == std::make_pair(r, c)) return static_cast<int>(i);
        }
        return -1;
    };
    std::vector<std::vector<double>> eq;
    for (size_t r = 0; r < rows; ++r) {  // each row: its cells minus its margin
        std::vector<double> e(unknowns.size(), 0);
        for (size_t c = 0; c < columns; ++c) {
            if (int i = index(r, c); i >= 0) e[i] = c + 1 == columns ? -1 : 1;
        }
        eq.push_back(e);
    }
    for (size_t c = 0; c < columns; ++c) {
        std::vector<double> e(unknowns.size(), 0);
        for (size_t r = 0; r < rows; ++r) {
            if (int i = index(r, c); i >= 0) e[i] = r + 1 == rows ? -1 : 1;
        }
        eq.push_back(e);
    }
    auto rank = [](std::vector<std::vector<double>> m) {
        size_t rk = 0;
        const size_t cols = m.empty() ? 0 : m[0].size();
        for (size_t col = 0; col < cols && rk < m.size(); ++col) {
            size_t pivot = rk;
            for (size_t i = rk; i < m.size(); ++i) {
                if (std::fabs(m[i][col]) > std::fabs(m[pivot][col])) pivot = i;
            }
            if (std::fabs(m[pivot][col]) < 1e-9) continue;
            std::swap(m[pivot], m[rk]);
            for (size_t i = 0; i < m.size(); ++i) {
                if (i == rk) continue;
                const double f = m[i][col] / m[rk][col];
                for (size_t j = col; j < cols; ++j) m[i][j] -= f * m[rk][j];
            }
            ++rk;
        }
        return rk;
    };
    const size_t base = rank(eq);
    std::vector<std::pair<size_t, size_t>> out;
    for (size_t i = 0; i < unknowns.size(); ++i) {
        auto with = eq;
        std::vector<double> unit(unknowns.size(), 0);
        unit[i] = 1;
        with.push_back(unit);
        if (rank(with) == base) out.push_back(unknowns[i]);
    }
    return out;
}

std::vector<std::vector<bool>> HiddenOf(const PublishedTable& t) {
    std::vector<std::vector<bool>> h;
    for (size_t r = 0; r < t.cells.size(); ++r) {
        std::vector<bool> row;
        for (const auto& f : t.cells[r]) row.push_back(f.Suppressed());
        row.push_back(t.row_totals[r].Suppressed());
        h.push_back(row);
    }
    std::vector<bool> last;
    for (const auto& f : t.column_totals) last.push_back(f.Suppressed());
    last.push_back(t.total.Suppressed());
    h.push_back(last);
    return h;
}

std::string Print(const CountTable& t) {
    std::ostringstream out;
    for (const auto& row : t) {
        for (auto n : row) out << n << ' ';
        out << "| ";
    }
    return out.str();
}

TEST(DisclosureTest, TheCheckerFindsWhatPrimarySuppressionAloneLeaves) {
    // Region totals 31 = 8 + 15 + 7 + 1: with only the small cells hidden, the 1 and the 7 share a row but a
    // column total gives each away.
    std::vector<std::vector<bool>> hidden = {{false, false, true}, {true, false, false}, {false, false, false}};
    EXPECT_FALSE(DeterminedByElimination(hidden).empty());
    EXPECT_EQ(DeterminedByElimination(hidden), DeterminedCells(hidden));
}

TEST(DisclosureTest, ADumbbellOfHiddenCellsStillGivesItsHandleAway) {
    // Two hidden 2x2 blocks joined by one hidden cell: every row and column holds two or more hidden cells,
    // yet the joining cell is determined.
    std::vector<std::vector<bool>> hidden(5, std::vector<bool>(5, false));
    for (auto [r, c] : std::vector<std::pair<int, int>>{{0, 0}, {0, 1}, {1, 0}, {1, 1}, {2, 2}, {2, 3}, {3, 2},
                                                        {3, 3}, {1, 2}}) {
        hidden[r][c] = true;
    }
    EXPECT_EQ(DeterminedByElimination(hidden), (std::vector<std::pair<size_t, size_t>>{{1, 2}}));
    EXPECT_EQ(DeterminedCells(hidden), DeterminedByElimination(hidden));
}

TEST(DisclosureTest, RandomTablesLeaveNoHiddenCellDeterminedByTheMargins) {
    std::mt19937 random(20260603);
    std::geometric_distribution<int> small(0.15);
    for (int run = 0; run < 2000; ++run) {
        const size_t rows = 1 + random() % 7, columns = 2 + random() % 6;
        CountTable t(rows, std::vector<std::int64_t>(columns));
        for (auto& row : t) {
            for (auto& n : row) n = random() % 4 == 0 ? 0 : small(random);
        }
        const auto published = PublishTable(t, {});
        const auto hidden = HiddenOf(published);
        EXPECT_TRUE(DeterminedByElimination(hidden).empty()) << Print(t);
        // And what is shown is the truth rounded; what is small is never shown.
        for (size_t r = 0; r < rows; ++r) {
            std::int64_t sum = 0;
            for (size_t c = 0; c < columns; ++c) {
                sum += t[r][c];
                const auto& f = published.cells[r][c];
                if (t[r][c] <= 7) {
                    EXPECT_TRUE(f.Suppressed()) << Print(t);
                }
                if (f.value) {
                    EXPECT_EQ(*f.value, RoundToNearest(t[r][c], 5)) << Print(t);
                }
            }
            if (published.row_totals[r].value) {
                EXPECT_EQ(*published.row_totals[r].value, RoundToNearest(sum, 5));
            }
        }
    }
}

TEST(DisclosureTest, RandomTablesAgreeWithElimination) {
    std::mt19937 random(7);
    for (int run = 0; run < 2000; ++run) {
        const size_t rows = 2 + random() % 5, columns = 2 + random() % 5;
        std::vector<std::vector<bool>> hidden(rows, std::vector<bool>(columns));
        for (auto& row : hidden) {
            for (size_t c = 0; c < columns; ++c) row[c] = random() % 3 == 0;
        }
        EXPECT_EQ(DeterminedCells(hidden), DeterminedByElimination(hidden));
    }
}

TEST(DisclosureTest, ATableWithNothingSmallHidesNothing) {
    auto t = PublishTable({{10, 20}, {30, 40}}, {});
    EXPECT_EQ(t.cells[0][0].value, 10);
    EXPECT_EQ(t.row_totals[1].value, 70);
    EXPECT_EQ(t.total.value, 100);
}

// A structural zero (a region's calls before a period that begins after its start) is known to everyone: it is
// shown as not applicable and forces no other cell to be hidden, but a real small count beside it is still protected.
TEST(DisclosureTest, StructuralZerosAreNotApplicableAndHideNothingElse) {
    const CountTable counts = {{0, 30}, {0, 40}, {12, 3}, {9, 4}};
    const std::vector<std::vector<bool>> structural = {{true, false}, {true, false}, {false, false}, {false, false}};
    const auto with_mask = PublishTable(counts, {}, structural);
    EXPECT_TRUE(with_mask.cells[0][0].not_applicable);
    EXPECT_EQ(with_mask.cells[0][0].value, 0);
    EXPECT_EQ(with_mask.cells[0][1].value, 30) << "nothing to protect in a row whose other cell cannot hold anyone";
    EXPECT_EQ(with_mask.cells[1][1].value, 40);
    EXPECT_TRUE(with_mask.cells[2][1].Suppressed()) << "3 is suppressed";
    EXPECT_TRUE(with_mask.cells[3][1].Suppressed()) << "4 is suppressed";
    std::vector<std::vector<bool>> hidden(5, std::vector<bool>(3));
    for (size_t r = 0; r < 4; ++r) {
        for (size_t c = 0; c < 2; ++c) hidden[r][c] = with_mask.cells[r][c].Suppressed();
        hidden[r][2] = with_mask.row_totals[r].Suppressed();
    }
    for (size_t c = 0; c < 2; ++c) hidden[4][c] = with_mask.column_totals[c].Suppressed();
    hidden[4][2] = with_mask.total.Suppressed();
    EXPECT_TRUE(DeterminedCells(hidden).empty()) << "the 3 and the 4 cannot be recovered from the margins";
    const auto all_structural = PublishTable({{0, 30}, {0, 12}}, {}, {{true, false}, {true, false}});
    EXPECT_TRUE(all_structural.column_totals[0].not_applicable) << "a column no contact can be in: its total too";
    EXPECT_EQ(all_structural.column_totals[1].value, 40);
    const auto without = PublishTable(counts, {});
    EXPECT_TRUE(without.cells[0][0].Suppressed()) << "as a counted zero it is suppressed...";
    EXPECT_TRUE(without.cells[0][1].Suppressed() || without.row_totals[0].Suppressed())
        << "...and takes another cell of its row with it";
}

// Forces under their region's total (published by another table): a force with one caller is never the region's
// total minus its other forces.
TEST(DisclosureTest, AForceWithOneCallerIsNeverItsRegionTotalMinusTheOtherForces) {
    const std::vector<std::vector<std::int64_t>> forces = {{20, 1, 15}, {0, 30}, {9, 12}};
    const std::vector<Figure> totals = {PublishCount(36, {}), PublishCount(30, {}), Figure{}};  // the third hidden
    const auto published = PublishNested(forces, totals, {});
    EXPECT_TRUE(published[0][1].Suppressed()) << "1 is suppressed";
    EXPECT_TRUE(published[0][2].Suppressed()) << "and the smallest other force of the region with it";
    EXPECT_EQ(published[0][0].value, 20);
    EXPECT_TRUE(published[1][0].Suppressed());
    EXPECT_TRUE(published[1][1].Suppressed()) << "a zero is protected as any small count: 30 - 30 would show it";
    EXPECT_TRUE(published[2][0].Suppressed()) << "the region's total is hidden: its forces must not add up to it";
    EXPECT_EQ(published[2][1].value, 10);
}

// A region's "force not recorded" is nearly always zero, and anyone may guess so: it is no cover for a force of one.
TEST(DisclosureTest, ARemainderEveryoneCanGuessIsNoCoverForAForceOfOne) {
    const std::vector<std::vector<std::int64_t>> wales = {{1, 10, 12, 15, 0}};
    const auto without = PublishNested(wales, {PublishCount(38, {})}, {});
    EXPECT_TRUE(without[0][0].Suppressed());
    EXPECT_TRUE(without[0][4].Suppressed());
    EXPECT_EQ(without[0][1].value, 10) << "counted as cover, the zero leaves 1 = 40 - 10 - 10 - 15 - 0, roughly";
    const auto with = PublishNested(wales, {PublishCount(38, {})}, {}, true);
    EXPECT_TRUE(with[0][0].Suppressed());
    EXPECT_TRUE(with[0][1].Suppressed()) << "a real force is hidden with it";
    EXPECT_EQ(with[0][2].value, 10);
    EXPECT_EQ(with[0][3].value, 15);
    EXPECT_TRUE(with[0][4].Suppressed()) << "the remainder is still published as any count: 0 is suppressed";
    const auto alone = PublishNested({{12}}, {Figure{}}, {}, true);
    EXPECT_TRUE(alone[0][0].Suppressed()) << "a group's only item is its total, hidden elsewhere";
}

TEST(DisclosureTest, StricterRulesApplyToNestedCounts) {
    const auto published = PublishNested({{9, 14, 30}}, {PublishCount(53, {10, 10})}, {10, 10});
    EXPECT_TRUE(published[0][0].Suppressed()) << "9 is under a threshold of 10";
    EXPECT_TRUE(published[0][1].Suppressed()) << "secondary: 14 goes with it";
    EXPECT_EQ(published[0][2].value, 30);
}

// Random regions of forces: in every group the hidden figures (items and total) are never exactly one, so none is
// the others' difference; and every shown figure is a rounded count over the threshold.
TEST(DisclosureTest, RandomNestedGroupsNeverHideExactlyOneFigure) {
    std::mt19937 random(17);
    for (int trial = 0; trial < 2000; ++trial) {
        std::vector<std::vector<std::int64_t>> groups(1 + random() % 6);
        std::vector<Figure> totals;
        for (auto& g : groups) {
            g.resize(1 + random() % 6);
            std::int64_t sum = 0;
            for (auto& n : g) sum += n = random() % 3 == 0 ? random() % 8 : random() % 40;
            totals.push_back(random() % 4 == 0 ? Figure{} : PublishCount(sum, {}));  // hidden elsewhere, or not
        }
        const bool remainder = trial % 2 == 1;
        const auto published = PublishNested(groups, totals, {}, remainder);
        ASSERT_EQ(published.size(), groups.size());
        for (size_t g = 0; g < groups.size(); ++g) {
            std::ostringstream input;
            for (auto n : groups[g]) input << n << " ";
            input << "total " << (totals[g].value ? std::to_string(*totals[g].value) : "hidden") << " remainder "
                  << remainder;
            const size_t covers = remainder && groups[g].size() > 1 ? groups[g].size() - 1 : groups[g].size();
            size_t hidden = totals[g].Suppressed() ? 1 : 0;
            for (size_t i = 0; i < groups[g].size(); ++i) {
                const auto& f = published[g][i];
                if (f.Suppressed()) {
                    hidden += i < covers ? 1 : 0;
                } else {
                    EXPECT_GT(groups[g][i], 7) << input.str();
                    EXPECT_EQ(*f.value, RoundToNearest(groups[g][i], 5)) << input.str();
                }
            }
            // A group whose covers are all hidden but one, with nothing else left to hide, is the exception.
            if (hidden == 1 && covers > 1) ADD_FAILURE() << input.str();
        }
    }
}

}  // namespace
}  // namespace crisisline::reports
