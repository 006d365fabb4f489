// The directory's search answers: kept and shared between searches, never served after a change.
#include "records/directory_book.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "records/detail/services_test_support.hpp"
#include "records/lines.hpp"

namespace crisisline::records {
namespace {

nlohmann::json ServiceBody(const std::string& name, const std::string& description) {
    return {{"organisation", "Blue Light Support"},
            {"name", name},
            {"description", description},
            {"service_areas", {"national"}},
            {"categories", {"counselling"}},
            {"phone", "01632 960001"},
            {"assured_date", "2026-06-01"}};
}

class DirectoryBookTest : public testing::ServicesTest {
protected:
    void SetUp() override {
        ServicesTest::SetUp();
        if (HasFatalFailure()) return;
        Lines lines(Services());
        auto line = lines.Create(Fields({{"id", "police"}, {"name", "Police (test)"}}, ""), "system");
        ASSERT_TRUE(line) << line.error().message;
        book_ = std::make_unique<DirectoryBook>(Services());
    }
    void TearDown() override {
        book_.reset();
        ServicesTest::TearDown();
    }

    std::string Put(const std::string& id, const nlohmann::json& body) {
        auto put = book_->Put("st_admin", "police", id, Fields(body, ""));
        EXPECT_TRUE(put) << put.error().field << ": " << put.error().message;
        return put ? (*put)["id"].get<std::string>() : "";
    }

    std::shared_ptr<const std::string> Search(const directory::Query& query) {
        auto found = book_->Search("police", query);
        EXPECT_TRUE(found) << found.error().message;
        return found ? *found : nullptr;
    }

    // What a new process, with nothing kept, answers.
    std::string Uncached(const directory::Query& query) {
        DirectoryBook fresh(Services());
        auto found = fresh.Search("police", query);
        EXPECT_TRUE(found) << found.error().message;
        return found ? **found : "";
    }

    std::unique_ptr<DirectoryBook> book_;
};

directory::Query Words(std::string text, size_t limit = 20) {
    directory::Query query;
    query.need = "counselling";
    query.text = std::move(text);
    query.limit = limit;
    return query;
}

TEST_F(DirectoryBookTest, ARepeatedSearchSharesOneAnswerEqualToAFreshOne) {
    Put("", ServiceBody("Evening phone line", "support by phone"));
    Put("", ServiceBody("Peer group", "support in a group"));
    const auto first = Search(Words("support"));
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(Search(Words("support")), first);                // the same string, not rendered again
    EXPECT_EQ(book_->SearchRemembered("police", Words("support")), first);
    EXPECT_EQ(*first, Uncached(Words("support")));
    EXPECT_NE(first->find("Evening phone line"), std::string::npos) << *first;
    EXPECT_NE(first->find("Peer group"), std::string::npos) << *first;
}

TEST_F(DirectoryBookTest, EveryFieldOfTheQueryHasItsOwnAnswer) {
    Put("", ServiceBody("Evening phone line", "support by phone"));
    Put("", ServiceBody("Peer group", "support in a group"));
    directory::Query other_need = Words("support");
    other_need.need = "therapy";
    directory::Query other_region = Words("support");
    other_region.region = "London";
    const std::vector<directory::Query> queries = {Words("support"), Words("support", 1), Words("phone"),
                                                   Words("support phone"), other_need, other_region};
    for (const auto& query : queries) {
        SCOPED_TRACE(query.need + "|" + query.region + "|" + query.text + "|" + std::to_string(query.limit));
        Search(query);  // kept
        const auto again = Search(query);
        ASSERT_NE(again, nullptr);
        EXPECT_EQ(*again, Uncached(query));
    }
    EXPECT_EQ(Search(Words("support", 1))->find("Peer group"), std::string::npos);
    EXPECT_EQ(*Search(other_need), R"({"services":[]})");
}

TEST_F(DirectoryBookTest, AnEditIsInTheNextAnswerNeverTheKeptOne) {
    const std::string id = Put("", ServiceBody("Evening phone line", "support by phone"));
    const auto before = Search(Words("support"));
    ASSERT_NE(before->find("Evening phone line"), std::string::npos);

    Put(id, ServiceBody("Night phone line", "support by phone"));
    EXPECT_EQ(book_->SearchRemembered("police", Words("support")), nullptr);  // nothing kept survives the change
    const auto after = Search(Words("support"));
    EXPECT_EQ(after->find("Evening phone line"), std::string::npos) << *after;
    EXPECT_NE(after->find("Night phone line"), std::string::npos) << *after;
    EXPECT_EQ(*after, Uncached(Words("support")));
    EXPECT_NE(before->find("Evening phone line"), std::string::npos);  // an answer already sent is left as it was
}

TEST_F(DirectoryBookTest, RemovingAndAddingServicesChangeTheNextAnswer) {
    const std::string id = Put("", ServiceBody("Evening phone line", "support by phone"));
    ASSERT_NE(Search(Words("support"))->find("Evening phone line"), std::string::npos);

    ASSERT_TRUE(book_->Remove("st_admin", "police", id));
    EXPECT_EQ(*Search(Words("support")), R"({"services":[]})");

    auto imported = book_->Import("st_admin", "police",
                                  R"([{"id": "sv-imported", "name": "Imported helpline",
                                       "organization": {"name": "Blue Light Support"},
                                       "description": "support for staff",
                                       "service_areas": [{"service_area": "national"}],
                                       "phones": [{"number": "01632 960002"}],
                                       "categories": ["counselling"], "assured_date": "2026-06-01"}])");
    ASSERT_TRUE(imported) << imported.error().field << ": " << imported.error().message;
    EXPECT_NE(Search(Words("support"))->find("Imported helpline"), std::string::npos);

    std::vector<directory::Service> added = {directory::DemoServices().front()};
    added.front().id.clear();
    added.front().categories = {"counselling"};
    added.front().description += " support";
    ASSERT_TRUE(book_->Add("st_admin", "police", added));
    EXPECT_NE(Search(Words("support"))->find(added.front().name), std::string::npos);
    EXPECT_EQ(*Search(Words("support")), Uncached(Words("support")));
}

TEST_F(DirectoryBookTest, AnswersPastTheBoundAreStillRight) {
    Put("", ServiceBody("Evening phone line", "support by phone"));
    for (size_t i = 0; i < DirectoryBook::kAnswersKept + 10; ++i) {
        directory::Query query = Words("support x" + std::to_string(i));
        const auto answer = Search(query);
        ASSERT_NE(answer, nullptr);
        EXPECT_EQ(*answer, R"({"services":[]})");
    }
    // Past the bound answers are still right, just not kept.
    const auto last = Words("support");
    EXPECT_NE(Search(last)->find("Evening phone line"), std::string::npos);
}

}  // namespace
}  // namespace crisisline::records
