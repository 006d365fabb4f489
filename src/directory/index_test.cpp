#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "directory/directory.hpp"

namespace crisisline::directory {
namespace {

Service Make(std::string name,
             std::vector<std::string> areas,
             std::vector<std::string> categories,
             std::string description = "") {
    Service s;
    s.id = name;
    s.organisation = "Org " + name;
    s.name = std::move(name);
    s.description = std::move(description);
    s.service_areas = std::move(areas);
    s.categories = std::move(categories);
    s.url = "https://example.org/";
    s.assured_date = "2026-01-01";
    return s;
}

std::vector<std::string> Names(const std::vector<const Service*>& found) {
    std::vector<std::string> out;
    for (const Service* s : found) out.push_back(s->name);
    return out;
}

Index Sample() {
    return Index({
        Make("Delta", {"Wales"}, {"peer_support"}, "Peer groups in Welsh and English."),
        Make("Alpha", {"North West"}, {"counselling"}, "Short-term COUNSELLING after critical incidents."),
        Make("Echo", {"national"}, {"counselling", "bereavement"}, "Counselling by phone, nationwide."),
        Make("Bravo", {"North West", "North East"}, {"therapy", "trauma"}, "Trauma therapy (EMDR)."),
        Make("Charlie", {"London"}, {"financial"}, "Debt advice."),
    });
}

using NameList = std::vector<std::string>;

TEST(IndexTest, EmptyQueryListsEveryServiceInOrder) {
    const Index index = Sample();
    EXPECT_EQ(index.size(), 5u);
    EXPECT_EQ(Names(index.Search({})), (NameList{"Alpha", "Bravo", "Charlie", "Delta", "Echo"}));
}

TEST(IndexTest, SearchesByNeed) {
    const Index index = Sample();
    EXPECT_EQ(Names(index.Search({.need = "counselling"})), (NameList{"Alpha", "Echo"}));
    EXPECT_EQ(Names(index.Search({.need = "trauma"})), (NameList{"Bravo"}));
    EXPECT_TRUE(index.Search({.need = "legal"}).empty());
    EXPECT_TRUE(index.Search({.need = "astrology"}).empty());
}

TEST(IndexTest, NationalServicesMatchEveryRegionAfterLocalOnes) {
    const Index index = Sample();
    EXPECT_EQ(Names(index.Search({.region = "North West"})), (NameList{"Alpha", "Bravo", "Echo"}));
    EXPECT_EQ(Names(index.Search({.region = "North East"})), (NameList{"Bravo", "Echo"}));
    EXPECT_EQ(Names(index.Search({.region = "South West"})), (NameList{"Echo"}));
    EXPECT_EQ(Names(index.Search({.region = "National"})), (NameList{"Echo"}));
    EXPECT_EQ(Names(index.Search({.need = "counselling", .region = "Wales"})), (NameList{"Echo"}));
    EXPECT_EQ(Names(index.Search({.need = "counselling", .region = "North West"})), (NameList{"Alpha", "Echo"}));
}

TEST(IndexTest, TextNeedsEveryWordInAnyCase) {
    const Index index = Sample();
    EXPECT_EQ(Names(index.Search({.text = "counselling"})), (NameList{"Alpha", "Echo"}));
    EXPECT_EQ(Names(index.Search({.text = "  Critical   counselling "})), (NameList{"Alpha"}));
    EXPECT_EQ(Names(index.Search({.text = "emdr"})), (NameList{"Bravo"}));
    EXPECT_EQ(Names(index.Search({.text = "org delta"})), (NameList{"Delta"}));  // organisation and name
    EXPECT_TRUE(index.Search({.text = "counselling debt"}).empty());
}

TEST(IndexTest, StopsAtTheLimit) {
    const Index index = Sample();
    EXPECT_EQ(Names(index.Search({.limit = 2})), (NameList{"Alpha", "Bravo"}));
    EXPECT_EQ(Names(index.Search({.region = "North West", .limit = 1})), (NameList{"Alpha"}));
    EXPECT_TRUE(index.Search({.limit = 0}).empty());
}

TEST(IndexTest, ResultsPointIntoTheIndexAndSurviveAMove) {
    Index index = Sample();
    auto before = index.Search({.need = "financial"});
    Index moved = std::move(index);
    auto after = moved.Search({.need = "financial"});
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(before[0], after[0]);
    EXPECT_EQ(after[0]->name, "Charlie");
}

TEST(IndexTest, ConcurrentSearchesAgree) {
    const Index index(DemoServices());
    const auto expected = index.Search({.need = "counselling", .region = "London"});
    ASSERT_FALSE(expected.empty());
    std::vector<std::thread> threads;
    std::vector<int> agreed(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                agreed[t] += index.Search({.need = "counselling", .region = "London"}) == expected ? 1 : 0;
            }
        });
    }
    for (auto& th : threads) th.join();
    for (int n : agreed) EXPECT_EQ(n, 2000);
}

}  // namespace
}  // namespace crisisline::directory
