// The sealed force: opens only with its line's key and for its own contact, and every force looks the same size.
#include "records/sealed_force.hpp"

#include <set>

#include <gtest/gtest.h>

#include "crypto/crypto.hpp"
#include "reference/reference.hpp"

namespace crisisline::records {
namespace {

class SealedForceTest : public testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(crypto::Initialise()); }
    crypto::SecretKey key_ = crypto::SecretKey::Generate();
};

TEST_F(SealedForceTest, EveryForceOpensAgainAndAllAreTheSameLength) {
    std::set<size_t> lengths;
    for (const auto& force : reference::Forces()) {
        const nlohmann::json facts = {{kSealedForceKey, SealForce(key_, "police", "ct_1", force.code)}};
        lengths.insert(facts[kSealedForceKey].get<std::string>().size());
        EXPECT_EQ(OpenForce(key_, "police", "ct_1", facts), force.code);
    }
    EXPECT_EQ(lengths.size(), 1u) << "the length of the sealed text would tell short force codes from long ones";
}

TEST_F(SealedForceTest, TheSameForceSealsDifferentlyEachTime) {
    EXPECT_NE(SealForce(key_, "police", "ct_1", "cleveland_police"), SealForce(key_, "police", "ct_1", "cleveland_police"))
        << "equal ciphertexts would group the contacts of one force together";
}

TEST_F(SealedForceTest, ItDoesNotOpenForAnotherContactLineOrKey) {
    const nlohmann::json facts = {{kSealedForceKey, SealForce(key_, "police", "ct_1", "kent_police")}};
    EXPECT_EQ(OpenForce(key_, "police", "ct_2", facts), std::nullopt) << "moved onto another contact";
    EXPECT_EQ(OpenForce(key_, "fire", "ct_1", facts), std::nullopt) << "moved onto another line";
    EXPECT_EQ(OpenForce(crypto::SecretKey::Generate(), "police", "ct_1", facts), std::nullopt);
    auto altered = facts;
    std::string text = altered[kSealedForceKey];
    text[text.size() - 1] = text.back() == '0' ? '1' : '0';
    altered[kSealedForceKey] = text;
    EXPECT_EQ(OpenForce(key_, "police", "ct_1", altered), std::nullopt);
    EXPECT_EQ(OpenForce(key_, "police", "ct_1", nlohmann::json{{kSealedForceKey, "not hex"}}), std::nullopt);
    EXPECT_EQ(OpenForce(key_, "police", "ct_1", nlohmann::json::object()), std::nullopt);
}

}  // namespace
}  // namespace crisisline::records
