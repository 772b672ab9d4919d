// Runtime dispatch: one program that runs a network with the best kernels the CPU it finds can run.
//
// Documentation: docs/deploying.md
// Distributed under the Boost Software License, Version 1.0 (see LICENSE or https://www.boost.org/LICENSE_1_0.txt).
//
// The network is compiled once per instruction set, in separate translation units (typenet's inline
// instruction-set namespace keeps the copies apart), each exporting a dispatch_table: plain function
// pointers over an opaque network object. dispatched_network picks one table at construction, the one with
// the most features the CPU has, and calls through it afterwards: one indirect call per forward.
//
//   // model.hpp, included everywhere
//   using model = typenet::network<typenet::input<16>, typenet::dense<64>, typenet::relu, typenet::dense<8>>;
//
//   // model_kernels.cpp: compiled three times (plain x86-64, -march=x86-64-v3, -march=x86-64-v4)
//   #include <typenet/dispatch.hpp>
//   #include "model.hpp"
//   TYPENET_DISPATCH_TARGET(model_kernels, model)  // defines model_kernels_isa_sse2, _isa_avx2_fma, ...
//
//   // main.cpp: compiled for plain x86-64, like everything that runs before the choice
//   extern const typenet::dispatch_table<float> model_kernels_isa_sse2, model_kernels_isa_avx2_fma,
//       model_kernels_isa_avx512bw;
//   typenet::dispatched_network<model> net({&model_kernels_isa_sse2, &model_kernels_isa_avx2_fma,
//                                           &model_kernels_isa_avx512bw});
//
// A stateful network (gru, lstm, conv1d) runs time steps on states made by the dispatched network, in the
// chosen instruction set's layout: auto state = net.make_state(); net.forward(state, x, y).
//
// TYPENET_DISPATCH=<isa> in the environment (isa_sse2, or sse2) or the constructor's `force` argument
// overrides the choice, for tests and for users who must reproduce another machine's results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.hpp"
#include "detail/raise.hpp"
#include "dispatch/cpu.hpp"
#include "dispatch/features.hpp"
#include "network.hpp"

namespace typenet {

// One network type compiled for one instruction set. Made by TYPENET_DISPATCH_TARGET; the function pointers
// take the network object as void*, the samples as arrays of T (input_size, output_size per sample).
template <class T>
struct dispatch_table {
    const char* isa;          // TYPENET_ISA_NAME of the translation unit, e.g. "isa_avx2_fma"
    std::uint32_t features;   // the cpu_feature bits its code was compiled to use
    bool portable;            // the portable kernels (TYPENET_PORTABLE): chosen last among equals
    std::size_t input_size, output_size, parameter_count;
    std::size_t object_size, object_alignment;  // of that instruction set's network object
    void (*construct)(void* object);            // default construction (initialize(0))
    void (*initialize)(void* object, std::uint64_t seed);
    void (*set_parameters)(void* object, const T* values);  // parameter_count values, PyTorch's order
    void (*get_parameters)(const void* object, T* values);
    // Stateless networks: one sample, and `count` samples (arrays of input_type / output_type).
    void (*forward)(const void* object, const T* x, T* y);
    void (*forward_batch)(const void* object, const void* x, void* y, std::size_t count);
    // Stateful networks (forward and forward_batch are null): one time step of `count` streams whose states
    // (that instruction set's Net::state_type, state_size bytes aligned to state_alignment) lie contiguous
    // at `states`; count == 1 is one stream. Null for stateless networks.
    std::size_t state_size, state_alignment;
    void (*step)(const void* object, void* states, const void* x, void* y, std::size_t count);
    // `steps` time steps of one stream (arrays of input_type / output_type): the loop runs inside the
    // kernels, so a buffer of samples pays for one call, not one per step.
    void (*step_sequence)(const void* object, void* state, const void* xs, void* ys, std::size_t steps);
};

namespace detail {

template <class Net>
constexpr dispatch_table<typename Net::value_type> make_dispatch_table() noexcept {
    using T = typename Net::value_type;
    dispatch_table<T> table{
        .isa = TYPENET_ISA_NAME,
        .features = compiled_features,
        .portable = TYPENET_ISA_IS_PORTABLE != 0,
        .input_size = Net::input_size,
        .output_size = Net::output_size,
        .parameter_count = Net::parameter_count,
        .object_size = sizeof(Net),
        .object_alignment = alignof(Net),
        .construct = [](void* object) { ::new (object) Net(); },
        .initialize = [](void* object, std::uint64_t seed) { static_cast<Net*>(object)->initialize(seed); },
        .set_parameters =
            [](void* object, const T* values) {
                static_cast<Net*>(object)->set_parameters(std::span<const T, Net::parameter_count>(values, Net::parameter_count));
            },
        .get_parameters =
            [](const void* object, T* values) {
                static_cast<const Net*>(object)->get_parameters(std::span<T, Net::parameter_count>(values, Net::parameter_count));
            },
        .forward = nullptr,
        .forward_batch = nullptr,
        .state_size = 0,
        .state_alignment = 0,
        .step = nullptr,
        .step_sequence = nullptr,
    };
    if constexpr (Net::is_stateful) {
        using state = typename Net::state_type;
        table.state_size = sizeof(state);
        table.state_alignment = alignof(state);
        table.step = [](const void* object, void* states, const void* x, void* y, std::size_t count) {
            const Net& net = *static_cast<const Net*>(object);
            using input = typename Net::input_type;
            using output = typename Net::output_type;
            if (count == 1)
                net.forward(*static_cast<state*>(states), *static_cast<const input*>(x), *static_cast<output*>(y));
            else
                net.forward_batch(std::span<state>(static_cast<state*>(states), count),
                                  std::span<const input>(static_cast<const input*>(x), count), std::span<output>(static_cast<output*>(y), count));
        };
        table.step_sequence = [](const void* object, void* state, const void* xs, void* ys, std::size_t steps) {
            using input = typename Net::input_type;
            using output = typename Net::output_type;
            static_cast<const Net*>(object)->forward_sequence(*static_cast<typename Net::state_type*>(state),
                                                              std::span<const input>(static_cast<const input*>(xs), steps),
                                                              std::span<output>(static_cast<output*>(ys), steps));
        };
    } else {
        table.forward = [](const void* object, const T* x, T* y) {
            static_cast<const Net*>(object)->forward(std::span<const T, Net::input_size>(x, Net::input_size),
                                                     std::span<T, Net::output_size>(y, Net::output_size));
        };
        table.forward_batch = [](const void* object, const void* x, void* y, std::size_t count) {
            static_cast<const Net*>(object)->forward_batch(
                std::span<const typename Net::input_type>(static_cast<const typename Net::input_type*>(x), count),
                std::span<typename Net::output_type>(static_cast<typename Net::output_type*>(y), count));
        };
    }
    return table;
}

// How much a table is preferred: more features first, then vector kernels over portable ones.
template <class T>
int preference(const dispatch_table<T>& table) noexcept {
    int count = 0;
    for (std::uint32_t features = table.features; features != 0; features &= features - 1) ++count;
    return 2 * count + (table.portable ? 0 : 1);
}

// Appends the parts (g++ 12 reports a false -Wrestrict at -O3 for "literal" + std::string).
template <class... Parts>
std::string concatenate(const Parts&... parts) {
    std::string text;
    (text.append(std::string_view(parts)), ...);
    return text;
}

inline bool isa_matches(std::string_view isa, std::string_view wanted) noexcept {
    return isa == wanted || (isa.starts_with("isa_") && isa.substr(4) == wanted);
}

}  // namespace detail

// Which table dispatched_network takes from `tables` on this CPU: `force` (or, if empty, the TYPENET_DISPATCH
// environment variable) names one; otherwise the one with the most features, all of which the CPU has
// (vector kernels before portable ones).
// Raises std::invalid_argument for a name that no table has, std::runtime_error when the CPU cannot run the
// named table or any table.
template <class T>
const dispatch_table<T>& choose_dispatch_table(std::span<const dispatch_table<T>* const> tables, std::string_view force = {}) {
    const std::uint32_t cpu = cpu_features();
    std::string names;
    for (const auto* table : tables) names.append(names.empty() ? "" : ", ").append(table->isa);
    if (force.empty())
        if (const char* environment = std::getenv("TYPENET_DISPATCH")) force = environment;
    if (!force.empty()) {
        for (const auto* table : tables) {
            if (!detail::isa_matches(table->isa, force)) continue;
            if ((table->features & ~cpu) != 0)
                detail::raise(std::runtime_error(detail::concatenate("typenet dispatch: ", table->isa, " was requested (", force,
                                                                     ") but this CPU lacks ", feature_names(table->features & ~cpu),
                                                                     " (it has: ", feature_names(cpu), ")")));
            return *table;
        }
        detail::raise(std::invalid_argument(detail::concatenate("typenet dispatch: ", force, " was requested, but the program has kernels for ",
                                                                names.empty() ? std::string("nothing") : names, " only")));
    }
    const dispatch_table<T>* best = nullptr;
    for (const auto* table : tables)
        if ((table->features & ~cpu) == 0 && (!best || detail::preference(*table) > detail::preference(*best)))
            best = table;
    if (!best)
        detail::raise(std::runtime_error(detail::concatenate("typenet dispatch: this CPU (", feature_names(cpu), ") can run none of ",
                                                             names.empty() ? std::string("the (no) kernels given") : names,
                                                             "; add kernels compiled for plain x86-64 (SSE2) or AArch64")));
    return *best;
}

// A network of type Net (the caller's spelling, used for its sizes only) run by the kernels of one of the
// given tables, chosen once at construction. The object lives on the heap (allocated by the constructor,
// with the chosen instruction set's size and alignment); forward and forward_batch allocate nothing.
template <class Net>
class dispatched_network {
public:
    using value_type = typename Net::value_type;
    using table_type = dispatch_table<value_type>;
    static constexpr std::size_t input_size = Net::input_size;
    static constexpr std::size_t output_size = Net::output_size;
    static constexpr std::size_t parameter_count = Net::parameter_count;
    static constexpr bool is_stateful = Net::is_stateful;
    using input_type = typename Net::input_type;
    using output_type = typename Net::output_type;

    // The streaming states of one or more streams (stateful networks), in the layout of the kernels that
    // made them (make_state): contiguous, all zero at first (the start of a sequence). Allocates when made
    // or copied, never when stepped. Copies and assignment save and restore states; a state made by one
    // dispatched network runs only with a network of the same kernels (checked: std::invalid_argument).
    class state_type {
    public:
        state_type(const state_type& other) : state_type(other.table_, other.streams_) {
            if (data_) std::memcpy(data_, other.data_, bytes());
        }
        state_type(state_type&& other) noexcept
            : table_(std::exchange(other.table_, nullptr)), streams_(std::exchange(other.streams_, 0)), data_(std::exchange(other.data_, nullptr)) {}
        // Copies the other states' values; allocates only when the stream counts differ.
        state_type& operator=(const state_type& other) {
            if (this == &other) return *this;
            if (table_ != other.table_ || streams_ != other.streams_) {
                state_type copy(other);
                swap(copy);
            } else if (data_) {
                std::memcpy(data_, other.data_, bytes());
            }
            return *this;
        }
        state_type& operator=(state_type&& other) noexcept {
            state_type moved(std::move(other));
            swap(moved);
            return *this;
        }
        ~state_type() {
            if (data_) ::operator delete(data_, std::align_val_t(table_->state_alignment));
        }

        std::size_t streams() const noexcept { return streams_; }
        // The state at the start of a sequence, for every stream or for one.
        void reset() noexcept {
            if (data_) std::memset(data_, 0, bytes());
        }
        void reset(std::size_t stream) {
            const std::span<std::byte> state = bytes(stream);
            std::memset(state.data(), 0, state.size());
        }
        // The kernels' state of one stream as bytes (instruction-set specific: save and restore it with the
        // same kernels only).
        std::span<std::byte> bytes(std::size_t stream) {
            check_stream(stream);
            return {static_cast<std::byte*>(data_) + stream * table_->state_size, table_->state_size};
        }
        std::span<const std::byte> bytes(std::size_t stream) const {
            check_stream(stream);
            return {static_cast<const std::byte*>(data_) + stream * table_->state_size, table_->state_size};
        }
        friend bool operator==(const state_type& a, const state_type& b) noexcept {
            return a.table_ == b.table_ && a.streams_ == b.streams_ && (!a.data_ || std::memcmp(a.data_, b.data_, a.bytes()) == 0);
        }

    private:
        friend class dispatched_network;
        // A moved-from state (no table) copies as one.
        state_type(const table_type* table, std::size_t streams)
            : table_(table),
              streams_(table ? streams : 0),
              data_(table ? ::operator new(table->state_size * streams, std::align_val_t(table->state_alignment)) : nullptr) {
            reset();
        }
        std::size_t bytes() const noexcept { return streams_ * (table_ ? table_->state_size : 0); }
        void check_stream(std::size_t stream) const {
            if (stream >= streams_)
                detail::raise(std::out_of_range(detail::concatenate("typenet::dispatched_network::state_type: stream ", std::to_string(stream),
                                                                    " of ", std::to_string(streams_))));
        }
        void swap(state_type& other) noexcept {
            std::swap(table_, other.table_);
            std::swap(streams_, other.streams_);
            std::swap(data_, other.data_);
        }
        const table_type* table_;
        std::size_t streams_;
        void* data_;
    };

    // Checks every table against Net (std::invalid_argument if one computes another network) before
    // choosing (choose_dispatch_table); the network starts as Net() does, initialize(0).
    dispatched_network(std::span<const table_type* const> tables, std::string_view force = {}) : table_(&choose(tables, force)) {
        object_ = ::operator new(table_->object_size, std::align_val_t(table_->object_alignment));
        table_->construct(object_);
    }
    dispatched_network(std::initializer_list<const table_type*> tables, std::string_view force = {})
        : dispatched_network(std::span<const table_type* const>(tables.begin(), tables.size()), force) {}
    dispatched_network(const dispatched_network&) = delete;
    dispatched_network& operator=(const dispatched_network&) = delete;
    ~dispatched_network() { ::operator delete(object_, std::align_val_t(table_->object_alignment)); }  // trivially destructible

    // The instruction set running this network, e.g. "isa_avx2_fma".
    std::string_view isa() const noexcept { return table_->isa; }
    const table_type& table() const noexcept { return *table_; }

    void forward(std::span<const value_type, input_size> x, std::span<value_type, output_size> y) const noexcept {
        static_assert(!is_stateful, "typenet::dispatched_network: a stateful network runs with a state: forward(state, x, y)");
        table_->forward(object_, x.data(), y.data());
    }
    output_type operator()(const input_type& x) const noexcept {
        static_assert(!is_stateful, "typenet::dispatched_network: a stateful network runs with a state: net(state, x)");
        output_type y;
        table_->forward(object_, x.data(), y.data());
        return y;
    }
    // x.size() == y.size(), else std::invalid_argument.
    void forward_batch(std::span<const input_type> x, std::span<output_type> y) const {
        static_assert(!is_stateful, "typenet::dispatched_network: a stateful network runs with a state: forward_batch(state, x, y)");
        if (x.size() != y.size()) [[unlikely]]
            detail::raise_size_mismatch("typenet::dispatched_network::forward_batch", x.size(), y.size());
        table_->forward_batch(object_, x.data(), y.data(), x.size());
    }

    // Stateful networks, as basic_network's streaming API. States of `streams` streams, all zero.
    state_type make_state(std::size_t streams = 1) const {
        static_assert(is_stateful, "typenet::dispatched_network: this network has no state (no gru, lstm or conv1d)");
        return state_type(table_, streams);
    }
    // One time step of a one-stream state (std::invalid_argument for a state of several streams or of
    // other kernels); allocation-free.
    void forward(state_type& state, std::span<const value_type, input_size> x, std::span<value_type, output_size> y) const {
        check_state(state, 1, "forward");
        table_->step(object_, state.data_, x.data(), y.data(), 1);
    }
    output_type operator()(state_type& state, const input_type& x) const {
        output_type y;
        forward(state, x, y);
        return y;
    }
    // A sequence of steps of one stream (xs.size() == ys.size()), in one call into the kernels: the way to
    // run a buffer of samples (a step as a call of its own costs more than the call, see the README).
    void forward_sequence(state_type& state, std::span<const input_type> xs, std::span<output_type> ys) const {
        if (xs.size() != ys.size()) [[unlikely]]
            detail::raise_size_mismatch("typenet::dispatched_network::forward_sequence", xs.size(), ys.size());
        check_state(state, 1, "forward_sequence");
        table_->step_sequence(object_, state.data_, xs.data(), ys.data(), xs.size());
    }
    // One time step of every stream of `states` (x.size() == y.size() == states.streams()).
    void forward_batch(state_type& states, std::span<const input_type> x, std::span<output_type> y) const {
        if (x.size() != y.size() || x.size() != states.streams()) [[unlikely]]
            detail::raise_size_mismatch("typenet::dispatched_network::forward_batch (states, inputs, outputs)", states.streams(), x.size(),
                                        y.size());
        check_state(states, states.streams(), "forward_batch");
        table_->step(object_, states.data_, x.data(), y.data(), x.size());
    }

    // The parameters in PyTorch's order (basic_network::get_parameters): the same vector whatever the
    // instruction set, so a model loaded into a Net moves here with net.get_parameters(...).
    void set_parameters(std::span<const value_type, parameter_count> values) noexcept { table_->set_parameters(object_, values.data()); }
    void get_parameters(std::span<value_type, parameter_count> values) const noexcept { table_->get_parameters(object_, values.data()); }
    void initialize(std::uint64_t seed) noexcept { table_->initialize(object_, seed); }

private:
    static const table_type& choose(std::span<const table_type* const> tables, std::string_view force) {
        for (const auto* table : tables)
            if (table->input_size != input_size || table->output_size != output_size || table->parameter_count != parameter_count)
                detail::raise(std::invalid_argument(detail::concatenate(
                    "typenet::dispatched_network: the kernels ", table->isa, " compute a network with ", std::to_string(table->input_size),
                    " inputs, ", std::to_string(table->output_size), " outputs and ", std::to_string(table->parameter_count),
                    " parameters; expected ", std::to_string(input_size), ", ", std::to_string(output_size), " and ",
                    std::to_string(parameter_count), " (another network type?)")));
        return choose_dispatch_table<value_type>(tables, force);
    }

    void check_state(const state_type& state, std::size_t streams, const char* function) const {
        if (state.table_ != table_ || state.streams_ != streams) [[unlikely]]
            detail::raise(std::invalid_argument(detail::concatenate(
                "typenet::dispatched_network::", function, ": expected the state of ", std::to_string(streams), " stream(s) made by this network's kernels (",
                table_->isa, "), found ", std::to_string(state.streams_), " stream(s) of ", state.table_ ? state.table_->isa : "a moved-from state")));
    }

    const table_type* table_;
    void* object_;
};

}  // namespace typenet

// Defines `const typenet::dispatch_table<Net::value_type> <Name>_<isa>` for this translation unit's
// instruction set (Name_isa_sse2, Name_isa_avx2_fma, Name_isa_avx512bw, Name_isa_neon64, Name_isa_portable),
// at global scope, constant-initialized (usable before main). Use at global scope.
#define TYPENET_DISPATCH_TARGET(Name, ...)                                                                 \
    extern const ::typenet::dispatch_table<__VA_ARGS__::value_type> TYPENET_DISPATCH_NAME(Name, TYPENET_ISA); \
    constinit const ::typenet::dispatch_table<__VA_ARGS__::value_type> TYPENET_DISPATCH_NAME(Name, TYPENET_ISA) = \
        ::typenet::detail::make_dispatch_table<__VA_ARGS__>();
#define TYPENET_DISPATCH_NAME(Name, Isa) TYPENET_DISPATCH_NAME_IMPL(Name, Isa)
#define TYPENET_DISPATCH_NAME_IMPL(Name, Isa) Name##_##Isa
