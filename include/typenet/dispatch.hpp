// Runtime dispatch: one program that runs a network with the best kernels the CPU it finds can run.
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
// TYPENET_DISPATCH=<isa> in the environment (isa_sse2, or sse2) or the constructor's `force` argument
// overrides the choice, for tests and for users who must reproduce another machine's results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
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
    void (*forward)(const void* object, const T* x, T* y);
    void (*forward_batch)(const void* object, const void* x, void* y, std::size_t count);  // arrays of input_type / output_type
};

namespace detail {

template <class Net>
constexpr dispatch_table<typename Net::value_type> make_dispatch_table() noexcept {
    using T = typename Net::value_type;
    return {
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
        .forward =
            [](const void* object, const T* x, T* y) {
                static_cast<const Net*>(object)->forward(std::span<const T, Net::input_size>(x, Net::input_size),
                                                         std::span<T, Net::output_size>(y, Net::output_size));
            },
        .forward_batch =
            [](const void* object, const void* x, void* y, std::size_t count) {
                static_cast<const Net*>(object)->forward_batch(
                    std::span<const typename Net::input_type>(static_cast<const typename Net::input_type*>(x), count),
                    std::span<typename Net::output_type>(static_cast<typename Net::output_type*>(y), count));
            },
    };
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
    using input_type = typename Net::input_type;
    using output_type = typename Net::output_type;

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
        table_->forward(object_, x.data(), y.data());
    }
    output_type operator()(const input_type& x) const noexcept {
        output_type y;
        table_->forward(object_, x.data(), y.data());
        return y;
    }
    // x.size() == y.size(), else std::invalid_argument.
    void forward_batch(std::span<const input_type> x, std::span<output_type> y) const {
        if (x.size() != y.size()) [[unlikely]]
            detail::raise_size_mismatch("typenet::dispatched_network::forward_batch", x.size(), y.size());
        table_->forward_batch(object_, x.data(), y.data(), x.size());
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
