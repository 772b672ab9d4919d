// typenet — configuration macros shared by every header.
#pragma once

#include <cassert>

#define TYPENET_VERSION_MAJOR 0
#define TYPENET_VERSION_MINOR 1
#define TYPENET_VERSION_PATCH 0

// Accessors (weight<I>, bias<I>) check their indices with TYPENET_ASSERT. It is an assert() by default, so
// it costs nothing with NDEBUG; define it before including typenet to route it elsewhere.
#ifndef TYPENET_ASSERT
#define TYPENET_ASSERT(condition) assert(condition)
#endif
