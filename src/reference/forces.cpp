// The police forces of England and Wales, one entry per row of
// shared/data/police-forces-england-wales.csv, in its order. Generated once from the
// CSV (code = the force name lower-cased, each run of other characters as "_") and
// kept as source, since the service never reads the shared data at run time.
// forces_test.cpp checks this table against a verbatim copy of the CSV.

#include "reference/reference.hpp"

namespace crisisline::reference {

const std::vector<Force>& Forces() {
    static const std::vector<Force> kForces = {
        {"cleveland_police", "Cleveland Police", "North East", "England"},
        {"durham_constabulary", "Durham Constabulary", "North East", "England"},
        {"northumbria_police", "Northumbria Police", "North East", "England"},
        {"cheshire_constabulary", "Cheshire Constabulary", "North West", "England"},
        {"cumbria_constabulary", "Cumbria Constabulary", "North West", "England"},
        {"greater_manchester_police", "Greater Manchester Police", "North West", "England"},
        {"lancashire_constabulary", "Lancashire Constabulary", "North West", "England"},
        {"merseyside_police", "Merseyside Police", "North West", "England"},
        {"humberside_police", "Humberside Police", "Yorkshire and the Humber", "England"},
        {"north_yorkshire_police", "North Yorkshire Police", "Yorkshire and the Humber", "England"},
        {"south_yorkshire_police", "South Yorkshire Police", "Yorkshire and the Humber", "England"},
        {"west_yorkshire_police", "West Yorkshire Police", "Yorkshire and the Humber", "England"},
        {"derbyshire_constabulary", "Derbyshire Constabulary", "East Midlands", "England"},
        {"leicestershire_police", "Leicestershire Police", "East Midlands", "England"},
        {"lincolnshire_police", "Lincolnshire Police", "East Midlands", "England"},
        {"northamptonshire_police", "Northamptonshire Police", "East Midlands", "England"},
        {"nottinghamshire_police", "Nottinghamshire Police", "East Midlands", "England"},
        {"staffordshire_police", "Staffordshire Police", "West Midlands", "England"},
        {"warwickshire_police", "Warwickshire Police", "West Midlands", "England"},
        {"west_mercia_police", "West Mercia Police", "West Midlands", "England"},
        {"west_midlands_police", "West Midlands Police", "West Midlands", "England"},
        {"bedfordshire_police", "Bedfordshire Police", "East of England", "England"},
        {"cambridgeshire_constabulary", "Cambridgeshire Constabulary", "East of England", "England"},
        {"essex_police", "Essex Police", "East of England", "England"},
        {"hertfordshire_constabulary", "Hertfordshire Constabulary", "East of England", "England"},
        {"norfolk_constabulary", "Norfolk Constabulary", "East of England", "England"},
        {"suffolk_constabulary", "Suffolk Constabulary", "East of England", "England"},
        {"city_of_london_police", "City of London Police", "London", "England"},
        {"metropolitan_police_service", "Metropolitan Police Service", "London", "England"},
        {"hampshire_and_isle_of_wight_constabulary", "Hampshire and Isle of Wight Constabulary", "South East",
         "England"},
        {"kent_police", "Kent Police", "South East", "England"},
        {"surrey_police", "Surrey Police", "South East", "England"},
        {"sussex_police", "Sussex Police", "South East", "England"},
        {"thames_valley_police", "Thames Valley Police", "South East", "England"},
        {"avon_and_somerset_police", "Avon and Somerset Police", "South West", "England"},
        {"devon_and_cornwall_police", "Devon and Cornwall Police", "South West", "England"},
        {"dorset_police", "Dorset Police", "South West", "England"},
        {"gloucestershire_constabulary", "Gloucestershire Constabulary", "South West", "England"},
        {"wiltshire_police", "Wiltshire Police", "South West", "England"},
        {"dyfed_powys_police", "Dyfed-Powys Police", "Wales", "Wales"},
        {"gwent_police", "Gwent Police", "Wales", "Wales"},
        {"north_wales_police", "North Wales Police", "Wales", "Wales"},
        {"south_wales_police", "South Wales Police", "Wales", "Wales"},
        {"british_transport_police", "British Transport Police", "National", "England and Wales"},
        {"civil_nuclear_constabulary", "Civil Nuclear Constabulary", "National", "England and Wales"},
        {"ministry_of_defence_police", "Ministry of Defence Police", "National", "England and Wales"},
    };
    return kForces;
}

}  // namespace crisisline::reference
