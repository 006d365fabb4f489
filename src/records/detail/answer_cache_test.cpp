#include "records/detail/answer_cache.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace crisisline::records::detail {
namespace {

std::shared_ptr<const std::string> Text(std::string text) {
    return std::make_shared<const std::string>(std::move(text));
}

TEST(AnswerCacheTest, FindsWhatWasKeptAndNothingElse) {
    AnswerCache cache(10, 1000);
    EXPECT_EQ(cache.Find("a"), nullptr);
    const auto answer = Text("one");
    EXPECT_EQ(cache.Keep("a", answer), answer);
    EXPECT_EQ(cache.Find("a"), answer);  // the same string, not a copy
    EXPECT_EQ(cache.Find("b"), nullptr);
    EXPECT_EQ(cache.Find("A"), nullptr);
    EXPECT_EQ(cache.Bytes(), 1 + 3);
}

TEST(AnswerCacheTest, AKeyKeepsItsFirstAnswer) {
    AnswerCache cache(10, 1000);
    const auto first = Text("first");
    cache.Keep("k", first);
    EXPECT_EQ(cache.Keep("k", Text("second")), first);
    EXPECT_EQ(*cache.Find("k"), "first");
    EXPECT_EQ(cache.Entries(), 1U);
}

TEST(AnswerCacheTest, StopsKeepingAtEitherBound) {
    AnswerCache by_entries(2, 1000);
    EXPECT_NE(by_entries.Keep("a", Text("1")), nullptr);
    EXPECT_NE(by_entries.Keep("b", Text("2")), nullptr);
    EXPECT_EQ(by_entries.Keep("c", Text("3")), nullptr);
    EXPECT_EQ(by_entries.Find("c"), nullptr);
    EXPECT_EQ(by_entries.Entries(), 2U);

    AnswerCache by_bytes(100, 10);
    EXPECT_NE(by_bytes.Keep("a", Text("123456789")), nullptr);  // 1 + 9 = 10 bytes: at the bound
    EXPECT_EQ(by_bytes.Keep("b", Text("")), nullptr);           // one byte more than the bound
    EXPECT_EQ(by_bytes.Bytes(), 10U);
    EXPECT_NE(by_bytes.Find("a"), nullptr);
}

TEST(AnswerCacheTest, ManyThreadsAgreeOnOneAnswerPerKey) {
    AnswerCache cache(1000, 1 << 20);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&cache, t] {
            for (int i = 0; i < 200; ++i) {
                const std::string key = std::to_string(i % 50);
                auto kept = cache.Keep(key, Text(key + "/" + std::to_string(t)));
                ASSERT_NE(kept, nullptr);
                EXPECT_EQ(cache.Find(key), kept);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(cache.Entries(), 50U);
}

}  // namespace
}  // namespace crisisline::records::detail
