#include <typenet/typenet.hpp>
// expect: parallel_sum_branches_must_have_equal_widths<4, 5>
typenet::network<typenet::input<3>, typenet::parallel<typenet::sum, typenet::dense<4>, typenet::dense<5>>> net;
