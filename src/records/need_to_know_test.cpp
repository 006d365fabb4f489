// Need to know as pure logic: which relationship each purpose needs, and who may change a contact.
#include "records/need_to_know.hpp"

#include <gtest/gtest.h>

namespace crisisline::records {
namespace {

using staff::Principal;
using staff::Role;

const Principal kCounsellor{"st_c", "Sam", {Role::kCounsellor}, {"police"}};
const Principal kSupervisor{"st_s", "Ash", {Role::kSupervisor}, {"police"}};

store::ContactRow ContactOf(const std::string& counsellor, const std::string& status) {
    store::ContactRow row;
    row.id = "ct_1";
    row.line_id = "police";
    row.counsellor_id = counsellor;
    row.status = status;
    return row;
}

store::FollowUpRow FollowUpFor(const std::string& assigned_to, const std::string& status) {
    store::FollowUpRow row;
    row.id = "fu_1";
    row.contact_id = "ct_1";
    row.assigned_to = assigned_to;
    row.status = status;
    return row;
}

TEST(NeedToKnowTest, RelationshipComesFromTheContactsOwnRecords) {
    EXPECT_TRUE(RelationshipTo("st_c", ContactOf("st_c", "open"), {}, {}, {}).own_open_contact);
    EXPECT_FALSE(RelationshipTo("st_c", ContactOf("st_c", "closed"), {}, {}, {}).own_open_contact);
    EXPECT_FALSE(RelationshipTo("st_c", ContactOf("st_other", "open"), {}, {}, {}).own_open_contact);
    EXPECT_FALSE(RelationshipTo("", ContactOf("", "open"), {}, {}, {}).own_open_contact)
        << "an unanswered contact is nobody's";
    const auto holds = [](const std::string& assigned, const std::string& status) {
        return RelationshipTo("st_c", ContactOf("st_x", "closed"), {FollowUpFor(assigned, status)}, {}, {})
            .holds_follow_up;
    };
    EXPECT_TRUE(holds("st_c", "due"));
    EXPECT_TRUE(holds("st_c", "scheduled"));
    EXPECT_FALSE(holds("pool", "due")) << "a pool follow-up is nobody's until claimed";
    EXPECT_FALSE(holds("st_other", "due"));
    EXPECT_FALSE(holds("st_c", "completed"));
    EXPECT_FALSE(holds("st_c", "cancelled"));
    store::EscalationRow e;
    e.raised_by = "st_c";
    e.supervisor_id = "st_s";
    EXPECT_TRUE(RelationshipTo("st_c", ContactOf("st_c", "closed"), {}, {e}, {}).named_in_escalation);
    EXPECT_TRUE(RelationshipTo("st_s", ContactOf("st_c", "closed"), {}, {e}, {}).named_in_escalation);
    EXPECT_FALSE(RelationshipTo("st_z", ContactOf("st_c", "closed"), {}, {e}, {}).named_in_escalation);
}

TEST(NeedToKnowTest, EachPurposeNeedsItsOwnRelationship) {
    struct Case {
        const char* why;
        const Principal& who;
        const char* purpose;
        Relationship to;
        bool allowed;
    };
    const Relationship none;
    Relationship on_call;
    on_call.call.on_the_call = true;
    Relationship wrapping;
    wrapping.call.wrapping_up = true;
    Relationship own;
    own.own_open_contact = true;
    Relationship holder;
    holder.holds_follow_up = true;
    Relationship named;
    named.named_in_escalation = true;
    const Case cases[] = {
        {"counsellor on the call", kCounsellor, "on_call", on_call, true},
        {"counsellor on the call, saying wrap_up", kCounsellor, "wrap_up", on_call, false},
        {"counsellor wrapping up", kCounsellor, "wrap_up", wrapping, true},
        {"counsellor wrapping up, saying on_call", kCounsellor, "on_call", wrapping, false},
        {"counsellor of the open contact", kCounsellor, "on_call", own, true},
        {"counsellor of the open contact, wrap_up", kCounsellor, "wrap_up", own, true},
        {"counsellor with no tie", kCounsellor, "on_call", none, false},
        {"counsellor with no tie, wrap_up", kCounsellor, "wrap_up", none, false},
        {"counsellor with no tie, follow_up", kCounsellor, "follow_up", none, false},
        {"counsellor with no tie, supervision", kCounsellor, "supervision", none, false},
        {"counsellor with no tie, escalation", kCounsellor, "escalation", none, false},
        {"counsellor holding the follow-up", kCounsellor, "follow_up", holder, true},
        {"counsellor holding the follow-up, on_call", kCounsellor, "on_call", holder, false},
        {"counsellor named in the escalation", kCounsellor, "escalation", named, true},
        {"supervisor", kSupervisor, "supervision", none, true},
        {"supervisor, on_call", kSupervisor, "on_call", own, false},
        {"supervisor named", kSupervisor, "escalation", named, true},
        {"supervisor not named", kSupervisor, "escalation", none, false},
        {"supervisor, follow_up", kSupervisor, "follow_up", holder, false},
    };
    for (const auto& c : cases) {
        auto r = MayOpen(c.who, c.purpose, c.to);
        EXPECT_EQ(static_cast<bool>(r), c.allowed) << c.why;
        if (!r) {
            EXPECT_EQ(r.error().code, ErrorCode::kForbidden) << c.why;
            EXPECT_EQ(r.error().field, "purpose") << c.why;
        }
    }
}

TEST(NeedToKnowTest, OnlyTheCounsellorHandlingAContactChangesIt) {
    Relationship own;
    own.own_open_contact = true;
    Relationship on_call;
    on_call.call.on_the_call = true;
    Relationship wrapping;
    wrapping.call.wrapping_up = true;
    Relationship holder;
    holder.holds_follow_up = true;
    Relationship named;
    named.named_in_escalation = true;
    EXPECT_TRUE(MayChange(kCounsellor, own));
    EXPECT_TRUE(MayChange(kCounsellor, on_call));
    EXPECT_TRUE(MayChange(kCounsellor, wrapping));
    EXPECT_FALSE(MayChange(kCounsellor, {}));
    EXPECT_FALSE(MayChange(kCounsellor, holder));
    EXPECT_FALSE(MayChange(kCounsellor, named));
    EXPECT_FALSE(MayChange(kSupervisor, {})) << "supervision reads, it never rewrites a counsellor's record";
    EXPECT_EQ(MayChange(kCounsellor, {}).error().code, ErrorCode::kForbidden);
}

}  // namespace
}  // namespace crisisline::records
