// The features of the CPU this program runs on (typenet::cpu_features()): one file per processor family,
// chosen here at include level.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#if defined(__x86_64__) || defined(__i386__)
#include "cpu_x86.hpp"
#elif defined(__aarch64__)
#include "cpu_arm.hpp"
#else
#include "cpu_other.hpp"
#endif
