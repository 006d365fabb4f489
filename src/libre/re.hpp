#pragma once

// The one place this folder includes libre 1.1.0. Its headers are C headers that typedef their own
// integer types unless told that <inttypes.h> is available, which clashes with <cstdint> in C++.
#include <stdbool.h>

#include <cinttypes>
#include <cstdio>

#ifndef HAVE_INTTYPES_H
#define HAVE_INTTYPES_H 1
#endif
#ifndef HAVE_STDBOOL_H
#define HAVE_STDBOOL_H 1  // else re_types.h #defines bool, true and false
#endif

#include <re.h>
