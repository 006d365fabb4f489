#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "reference/reference.hpp"

namespace crisisline::reference {
namespace {

// A verbatim copy of shared/data/police-forces-england-wales.csv, the source of the compiled-in table.
constexpr const char* kSourceCsv = R"(force,region,country
Cleveland Police,North East,England
Durham Constabulary,North East,England
Northumbria Police,North East,England
Cheshire Constabulary,North West,England
Cumbria Constabulary,North West,England
Greater Manchester Police,North West,England
Lancashire Constabulary,North West,England
Merseyside Police,North West,England
Humberside Police,Yorkshire and the Humber,England
North Yorkshire Police,Yorkshire and the Humber,England
South Yorkshire Police,Yorkshire and the Humber,England
West Yorkshire Police,Yorkshire and the Humber,England
Derbyshire Constabulary,East Midlands,England
Leicestershire Police,East Midlands,England
Lincolnshire Police,East Midlands,England
Northamptonshire Police,East Midlands,England
Nottinghamshire Police,East Midlands,England
Staffordshire Police,West Midlands,England
Warwickshire Police,West Midlands,England
West Mercia Police,West Midlands,England
West Midlands Police,West Midlands,England
Bedfordshire Police,East of England,England
Cambridgeshire Constabulary,East of England,England
Essex Police,East of England,England
Hertfordshire Constabulary,East of England,England
Norfolk Constabulary,East of England,England
Suffolk Constabulary,East of England,England
City of London Police,London,England
Metropolitan Police Service,London,England
Hampshire and Isle of Wight Constabulary,South East,England
Kent Police,South East,England
Surrey Police,South East,England
Sussex Police,South East,England
Thames Valley Police,South East,England
Avon and Somerset Police,South West,England
Devon and Cornwall Police,South West,England
Dorset Police,South West,England
Gloucestershire Constabulary,South West,England
Wiltshire Police,South West,England
Dyfed-Powys Police,Wales,Wales
Gwent Police,Wales,Wales
North Wales Police,Wales,Wales
South Wales Police,Wales,Wales
British Transport Police,National,England and Wales
Civil Nuclear Constabulary,National,England and Wales
Ministry of Defence Police,National,England and Wales
)";

struct CsvRow {
    std::string force;
    std::string region;
    std::string country;
};

std::vector<CsvRow> SourceRows() {
    std::istringstream in(kSourceCsv);
    std::string line;
    std::getline(in, line);  // the header
    std::vector<CsvRow> rows;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto first = line.find(',');
        const auto second = line.find(',', first + 1);
        rows.push_back({line.substr(0, first), line.substr(first + 1, second - first - 1), line.substr(second + 1)});
    }
    return rows;
}

TEST(ForcesTest, OneForcePerRowOfTheSourceInItsOrder) {
    const auto rows = SourceRows();
    ASSERT_EQ(rows.size(), 46u);
    ASSERT_EQ(Forces().size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        SCOPED_TRACE(rows[i].force);
        EXPECT_EQ(Forces()[i].name, rows[i].force);
        EXPECT_EQ(Forces()[i].region, rows[i].region);
        EXPECT_EQ(Forces()[i].country, rows[i].country);
    }
}

TEST(ForcesTest, RegionsAreTheDistinctRegionsOfTheSourceWithTheirCountry) {
    std::vector<std::pair<std::string, std::string>> expected;
    for (const auto& row : SourceRows()) {
        std::pair<std::string, std::string> region{row.region, row.country};
        if (std::find(expected.begin(), expected.end(), region) == expected.end()) expected.push_back(region);
    }
    ASSERT_EQ(Regions().size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(Regions()[i].name, expected[i].first);
        EXPECT_EQ(Regions()[i].country, expected[i].second);
        EXPECT_EQ(RegionNames()[i], expected[i].first);
    }
    EXPECT_EQ(Regions().front().code, "north_east");
    EXPECT_EQ(Regions()[2].code, "yorkshire_and_the_humber");
}

TEST(ForcesTest, EveryForceIsInAKnownRegion) {
    for (const auto& f : Forces()) {
        auto region =
            std::find_if(Regions().begin(), Regions().end(), [&](const Region& r) { return r.name == f.region; });
        ASSERT_NE(region, Regions().end()) << f.code;
        EXPECT_EQ(region->country, f.country) << f.code;
    }
}

TEST(ForcesTest, FindsAForceByItsCode) {
    const Force* cleveland = FindForce("cleveland_police");
    ASSERT_NE(cleveland, nullptr);
    EXPECT_EQ(cleveland->name, "Cleveland Police");
    EXPECT_EQ(cleveland->region, "North East");
    const Force* dyfed = FindForce("dyfed_powys_police");
    ASSERT_NE(dyfed, nullptr);
    EXPECT_EQ(dyfed->region, "Wales");
    EXPECT_EQ(dyfed->country, "Wales");
    for (const auto& f : Forces()) EXPECT_EQ(FindForce(f.code), &f) << f.code;
}

TEST(ForcesTest, UnknownCodesFindNothing) {
    for (const char* code : {"", "Cleveland Police", "cleveland", "CLEVELAND_POLICE", "cleveland_police "}) {
        EXPECT_EQ(FindForce(code), nullptr) << "'" << code << "'";
    }
}

}  // namespace
}  // namespace crisisline::reference
