#include "directory/directory.hpp"

namespace crisisline::directory {

namespace {

constexpr const char* kAssured = "2025-07-21";

// A demo service; its email and web address are built from `host`.
Service Demo(std::string id,
             std::string organisation,
             std::string name,
             std::string description,
             std::string eligibility,
             std::vector<std::string> areas,
             std::vector<std::string> categories,
             std::string phone,
             const std::string& host,
             std::string opening_times,
             std::vector<std::string> languages = {"en"}) {
    Service s;
    s.id = std::move(id);
    s.organisation = std::move(organisation);
    s.name = std::move(name);
    s.description = std::move(description);
    s.eligibility = std::move(eligibility);
    s.service_areas = std::move(areas);
    s.categories = std::move(categories);
    s.phone = std::move(phone);
    s.email = "hello@" + host;
    s.url = "https://" + host + "/";
    s.opening_times = std::move(opening_times);
    s.languages = std::move(languages);
    s.assured_date = kAssured;
    s.demo = true;
    return s;
}

}  // namespace

// All names are invented and say "(demo)"; phone numbers are from Ofcom's ranges
// reserved for drama (01632 960xxx, 0808 157 0xxx), and addresses are under example.org.
std::vector<Service> DemoServices() {
    std::vector<Service> out;
    out.push_back(Demo("demo-counselling", "Example Wellbeing Trust (demo)", "Example Counselling Service (demo)",
                       "Up to eight sessions of confidential counselling by phone or video, booked within a week.",
                       "Serving and retired police officers and staff.", {"national"}, {"counselling"}, "0808 157 0101",
                       "counselling.example.org", "Mon–Fri 08:00–20:00; Sat 09:00–13:00"));
    out.push_back(Demo("demo-trauma-therapy", "Sample Health Partnership (demo)", "Sample Trauma Therapy Clinic (demo)",
                       "Trauma-focused therapy (EMDR and trauma-focused CBT) after critical incidents.",
                       "Adults referred by their GP or self-referred.", {"North West"}, {"therapy", "trauma"},
                       "01632 960102", "trauma-therapy.example.org", "Mon–Thu 09:00–19:00"));
    out.push_back(Demo("demo-bereavement", "Example Bereavement Care (demo)", "Example Bereavement Support (demo)",
                       "One-to-one and group support for anyone grieving the death of someone close.",
                       "Anyone aged 18 or over.", {"North East"}, {"bereavement"}, "01632 960103",
                       "bereavement.example.org", "Mon–Fri 09:00–17:00"));
    out.push_back(Demo("demo-suicide-bereavement", "Fictional Survivors Network (demo)",
                       "Fictional Suicide Bereavement Network (demo)",
                       "Peer support and a helpline for people bereaved or affected by suicide, including the loss "
                       "of a colleague.",
                       "Anyone bereaved by suicide, at any time after the death.", {"national"},
                       {"bereavement_by_suicide", "bereavement", "peer_support"}, "0808 157 0104",
                       "suicide-bereavement.example.org", "Every day 10:00–22:00", {"en", "cy"}));
    out.push_back(Demo("demo-money-advice", "Example Money Charity (demo)", "Example Money Advice Line (demo)",
                       "Free, impartial debt and budgeting advice, including help with priority bills.",
                       "Anyone in England and Wales.", {"national"}, {"financial"}, "0808 157 0105",
                       "money-advice.example.org", "Mon–Fri 08:00–18:00"));
    out.push_back(Demo("demo-recovery", "Sample Recovery Trust (demo)", "Sample Recovery Service (demo)",
                       "Confidential support to cut down or stop drinking, gambling or drug use.",
                       "Adults living or working in Yorkshire and the Humber.", {"Yorkshire and the Humber"},
                       {"addiction"}, "01632 960106", "recovery.example.org", "Mon–Fri 09:00–21:00"));
    out.push_back(Demo("demo-peer-support", "Example Blue Light Peers (demo)", "Example Peer Support Group (demo)",
                       "Monthly peer groups led by trained former officers and staff, in English and Welsh.",
                       "Police officers, staff and volunteers in Wales.", {"Wales"}, {"peer_support"}, "01632 960107",
                       "peer-support.example.org", "First Tuesday of the month 19:00–21:00", {"cy", "en"}));
    out.push_back(Demo("demo-therapy-practice", "Sample Psychology Practice (demo)", "Sample Therapy Practice (demo)",
                       "Short-term counselling and longer-term psychological therapy, evenings included.",
                       "Adults in Greater London.", {"London"}, {"therapy", "counselling"}, "01632 960108",
                       "therapy-practice.example.org", "Mon–Fri 08:00–21:00"));
    out.push_back(Demo("demo-domestic-abuse", "Example Safety Alliance (demo)", "Example Domestic Abuse Advice (demo)",
                       "Confidential advice and safety planning for anyone experiencing domestic abuse.",
                       "Anyone affected by domestic abuse.", {"South West", "South East"}, {"domestic_abuse"},
                       "0808 157 0109", "domestic-abuse.example.org", "Every day, 24 hours"));
    out.push_back(Demo("demo-occupational-health", "Sample Workplace Health (demo)",
                       "Sample Independent Occupational Health Advice (demo)",
                       "Independent advice on returning to work, adjustments and ill-health processes.",
                       "Police officers and staff in the Midlands.", {"East Midlands", "West Midlands"},
                       {"occupational_health_independent", "legal"}, "01632 960110", "occupational-health.example.org",
                       "Mon–Fri 09:00–17:00"));
    return out;
}

}  // namespace crisisline::directory
