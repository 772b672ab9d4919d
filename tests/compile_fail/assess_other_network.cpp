#include <typenet/typenet.hpp>
// expect: typenet::assess<Net>: the report is not of this network type
using A = typenet::network<typenet::input<3>, typenet::dense<4>, typenet::relu, typenet::dense<1>>;
using B = typenet::network<typenet::input<3>, typenet::dense<1>>;
auto verdict(const typenet::network_report<A>& report) { return typenet::assess<B>(report); }
