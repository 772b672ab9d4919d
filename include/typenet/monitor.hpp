// Training monitors: what trainer::step reports besides the loss. The default, no_monitor, compiles to
// nothing (no norm computed, no check, no state). gradient_monitor records the global gradient norm of every
// step and stops training at the first non-finite loss or gradient with divergence_error, before the update:
// the network and the optimizer state keep the values of the last good step.
//
// Documentation: docs/training.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace typenet {

struct no_monitor {
    static constexpr bool enabled = false;
};

// Thrown by trainer::step under an enabled monitor when the loss or the gradient is not finite.
class divergence_error : public std::runtime_error {
public:
    divergence_error(long step, std::string_view quantity, double value)
        : std::runtime_error(message(step, quantity, value)), step_(step) {}
    // The step (1-based, as trainer::steps() counts them) whose loss or gradient was not finite.
    long step() const noexcept { return step_; }

private:
    // Numbers through snprintf, the rest appended: the quantity has no length bound that snprintf could
    // check (g++ -Wformat-truncation), and the message must not be cut.
    static std::string message(long step, std::string_view quantity, double value) {
        char step_text[24], value_text[32], previous_text[24];
        std::snprintf(step_text, sizeof step_text, "%ld", step);
        std::snprintf(value_text, sizeof value_text, "%g", value);
        std::snprintf(previous_text, sizeof previous_text, "%ld", step - 1);
        std::string text("typenet::trainer: diverged at step ");
        text.append(step_text).append(": the ").append(quantity).append(" is ").append(value_text);
        text.append("; the update was not applied, parameters and optimizer state are those after step ").append(previous_text);
        text.append(" (lower the learning rate, clip gradients, or check the initialization with typenet::diagnose)");
        return text;
    }
    long step_;
};

struct step_record {
    long step;             // 1-based
    double loss;           // mean loss of the batch before the update
    double gradient_norm;  // global L2 norm of the gradient, before clipping and weight decay
};

// Keeps the last `capacity` steps in a ring allocated once, so step() stays allocation-free.
class gradient_monitor {
public:
    static constexpr bool enabled = true;

    gradient_monitor() : gradient_monitor(65536) {}
    explicit gradient_monitor(std::size_t capacity) : ring_(capacity == 0 ? 1 : capacity) {}

    void record(const step_record& record) noexcept {
        ring_[next_] = record;
        next_ = (next_ + 1) % ring_.size();
        ++recorded_;
    }

    // Oldest first; at most `capacity` records.
    std::vector<step_record> history() const {
        const std::size_t count = recorded_ < ring_.size() ? recorded_ : ring_.size();
        std::vector<step_record> records;
        records.reserve(count);
        const std::size_t first = recorded_ < ring_.size() ? 0 : next_;
        for (std::size_t i = 0; i < count; ++i) records.push_back(ring_[(first + i) % ring_.size()]);
        return records;
    }
    std::size_t recorded() const noexcept { return recorded_; }

private:
    std::vector<step_record> ring_;
    std::size_t next_ = 0, recorded_ = 0;
};

}  // namespace typenet
