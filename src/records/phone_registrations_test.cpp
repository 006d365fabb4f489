// The registrar's bindings kept in storage across restarts.
#include "records/phone_registrations.hpp"

#include <gtest/gtest.h>

#include "records/detail/services_test_support.hpp"

namespace crisisline::records {
namespace {

class PhoneRegistrationsTest : public testing::ServicesTest {
protected:
    void Settle() { ASSERT_TRUE(writer_->Run([](store::Tx&) -> Result<void> { return {}; })); }
};

TEST_F(PhoneRegistrationsTest, ARegistrationOutlivesTheProcessUntilItExpires) {
    {
        PhoneRegistrations phones(Services());
        phones.Registered({"sam.phone", "st_sam", "sip:sam@192.0.2.7:5062", clock_.Now() + 600'000, true});
        phones.Registered({"ceri.phone", "st_ceri", "sip:ceri@192.0.2.8:5060", clock_.Now() + 60'000, false});
        phones.Registered({"ceri.phone", "st_ceri", "sip:ceri@192.0.2.9:5060", clock_.Now() + 120'000, false});
        Settle();
    }
    PhoneRegistrations restarted(Services());
    auto loaded = restarted.Load();
    ASSERT_TRUE(loaded) << loaded.error().message;
    ASSERT_EQ(loaded->size(), 2u);
    const auto& ceri = (*loaded)[0];
    EXPECT_EQ(ceri.sip_username, "ceri.phone");
    EXPECT_EQ(ceri.counsellor, "st_ceri");
    EXPECT_EQ(ceri.contact_uri, "sip:ceri@192.0.2.9:5060") << "the latest registration wins";
    EXPECT_EQ(ceri.expires_at, clock_.Now() + 120'000);
    EXPECT_FALSE(ceri.behind_nat);
    EXPECT_EQ((*loaded)[1].sip_username, "sam.phone");
    EXPECT_TRUE((*loaded)[1].behind_nat);

    clock_.Advance(300'000);  // ceri's phone expired while the server was down
    auto later = restarted.Load();
    ASSERT_TRUE(later);
    ASSERT_EQ(later->size(), 1u);
    EXPECT_EQ((*later)[0].sip_username, "sam.phone");
}

TEST_F(PhoneRegistrationsTest, AnUnregisteredPhoneIsNotRestored) {
    PhoneRegistrations phones(Services());
    phones.Registered({"sam.phone", "st_sam", "sip:sam@192.0.2.7:5062", clock_.Now() + 600'000, false});
    phones.Unregistered("sam.phone");
    phones.Unregistered("never.registered");  // nothing stored: not an error
    Settle();
    auto loaded = phones.Load();
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_TRUE(loaded->empty());
}

}  // namespace
}  // namespace crisisline::records
