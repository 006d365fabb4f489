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

    static store::ContactRow Row(const std::string& line_id, const std::string& id, store::Bytes sealed) {
        store::ContactRow row;
        row.line_id = line_id;
        row.id = id;
        row.force_sealed = std::move(sealed);
        return row;
    }

    const nlohmann::json no_facts_ = nlohmann::json::object();
    crypto::SecretKey key_ = crypto::SecretKey::Generate();
};

TEST_F(SealedForceTest, EveryForceOpensAgainAndAllAreTheSameLength) {
    std::set<size_t> lengths;
    for (const auto& force : reference::Forces()) {
        const auto row = Row("police", "ct_1", SealForce(key_, "police", "ct_1", force.code));
        lengths.insert(row.force_sealed.size());
        EXPECT_EQ(OpenForce(key_, row, no_facts_), force.code);
    }
    EXPECT_EQ(lengths.size(), 1u) << "the length of the sealed force would tell short force codes from long ones";
}

TEST_F(SealedForceTest, TheSameForceSealsDifferentlyEachTime) {
    EXPECT_NE(SealForce(key_, "police", "ct_1", "cleveland_police"),
              SealForce(key_, "police", "ct_1", "cleveland_police"))
        << "equal ciphertexts would group the contacts of one force together";
}

TEST_F(SealedForceTest, ItDoesNotOpenForAnotherContactLineOrKey) {
    const auto sealed = SealForce(key_, "police", "ct_1", "kent_police");
    EXPECT_EQ(OpenForce(key_, Row("police", "ct_2", sealed), no_facts_), std::nullopt) << "moved onto another contact";
    EXPECT_EQ(OpenForce(key_, Row("fire", "ct_1", sealed), no_facts_), std::nullopt) << "moved onto another line";
    EXPECT_EQ(OpenForce(crypto::SecretKey::Generate(), Row("police", "ct_1", sealed), no_facts_), std::nullopt);
    auto altered = sealed;
    altered.back() ^= 1;
    EXPECT_EQ(OpenForce(key_, Row("police", "ct_1", altered), no_facts_), std::nullopt);
    EXPECT_EQ(OpenForce(key_, Row("police", "ct_1", {}), no_facts_), std::nullopt) << "no force recorded";
}

TEST_F(SealedForceTest, ACarriedOnCallOpensTheForceUnderTheContactItWasSealedFor) {
    const auto row = Row("police", "ct_first", SealForce(key_, "police", "ct_later", "gwent_police"));
    EXPECT_EQ(OpenForce(key_, row, no_facts_), std::nullopt);
    EXPECT_EQ(OpenForce(key_, row, nlohmann::json{{kSealedForceForKey, "ct_later"}}), "gwent_police");
}

}  // namespace
}  // namespace crisisline::records
