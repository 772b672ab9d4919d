// A tiny SVG line chart for the examples: panels side by side, log-scale y (or linear, panel_data::linear),
// one line per series, legend. Values that are not finite or positive (overflow to inf/NaN, underflow to 0)
// cannot be drawn on a log axis: the line stops at the last drawable point and a marker on the top
// (overflow) or bottom (underflow) edge shows where the series left the chart (on a linear axis: values that
// are not finite).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace svg_plot {

struct series {
    std::string name;
    std::vector<double> values;
    std::size_t first_x, x_step;
};

struct panel_data {
    std::string title, x_label;
    std::vector<series> lines;
    bool linear = false;  // a linear y axis (values drawn as they are, e.g. logarithms computed by the caller)
    // values[k] is drawn at x = first_x + k * x_step.
    void add(std::string name, std::vector<double> values, std::size_t first_x = 0, std::size_t x_step = 1) {
        lines.push_back({std::move(name), std::move(values), first_x, x_step});
    }
};

class figure {
public:
    // Panels fill rows of `columns`.
    explicit figure(std::size_t panels, std::size_t columns = 0) : panels_(panels), columns_(columns == 0 ? panels : columns) {}
    panel_data& panel(std::size_t i) { return panels_[i]; }

    void write(const std::string& path) const {
        FILE* out = std::fopen(path.c_str(), "w");
        if (!out) return;
        const std::size_t rows = (panels_.size() + columns_ - 1) / columns_;
        std::fprintf(
            out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
            panel_width * double(columns_), panel_height * double(rows));
        std::fprintf(out, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
        for (std::size_t p = 0; p < panels_.size(); ++p) {
            std::fprintf(out, "<g transform=\"translate(%.0f,%.0f)\">\n", panel_width * double(p % columns_),
                         panel_height * double(p / columns_));
            draw(out, panels_[p], 0);
            std::fprintf(out, "</g>\n");
        }
        std::fprintf(out, "</svg>\n");
        std::fclose(out);
    }

private:
    static constexpr double panel_width = 560, panel_height = 400, left = 60, right = 20, top = 30, bottom = 110;
    static constexpr const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"};

    static bool drawable(double v) { return std::isfinite(v) && v > 0; }

    static std::string escape(const std::string& text) {
        std::string out;
        for (char c : text) out += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
        return out;
    }

    void draw(FILE* out, const panel_data& panel, double offset) const {
        if (panel.linear) return draw_linear(out, panel, offset);
        double low = HUGE_VAL, high = -HUGE_VAL;
        std::size_t x_max = 1;
        for (const series& s : panel.lines) {
            x_max = std::max(x_max, s.first_x + (s.values.size() - 1) * s.x_step);
            for (double v : s.values)
                if (drawable(v)) low = std::min(low, std::log10(v)), high = std::max(high, std::log10(v));
        }
        if (low > high) low = 0, high = 1;  // nothing drawable (every series overflowed at once): an empty axis
        low = std::floor(std::max(low, -100.0)), high = std::ceil(std::min(high, 100.0));
        if (high <= low) high = low + 1;
        const double plot_w = panel_width - left - right, plot_h = panel_height - top - bottom;
        auto px = [&](double x) { return offset + left + plot_w * x / double(x_max); };
        auto py = [&](double log_value) { return top + plot_h * (high - std::clamp(log_value, low, high)) / (high - low); };
        std::fprintf(out, "<text x=\"%.1f\" y=\"18\" font-weight=\"bold\">%s</text>\n", offset + left, escape(panel.title).c_str());
        std::fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", offset + left,
                     top, plot_w, plot_h);
        const double step = std::max(1.0, std::ceil((high - low) / 8));
        for (double e = std::ceil(low / step) * step; e <= high; e += step) {
            std::fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px(0), px(double(x_max)), py(e),
                         py(e));
            std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">1e%.0f</text>\n", offset + left - 4, py(e) + 4, e);
        }
        for (int i = 0; i <= 5; ++i) {
            const double x = std::round(double(x_max) * i / 5);
            std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", px(x), top + plot_h + 14, x);
        }
        std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px(double(x_max) / 2), top + plot_h + 28,
                     escape(panel.x_label).c_str());
        for (std::size_t i = 0; i < panel.lines.size(); ++i) {
            const series& s = panel.lines[i];
            const char* color = colors[i % (sizeof colors / sizeof *colors)];
            std::string points;
            char buffer[64];
            for (std::size_t k = 0; k < s.values.size(); ++k) {
                const double v = s.values[k], x = px(double(s.first_x + k * s.x_step));
                if (!drawable(v) || std::log10(v) < low || std::log10(v) > high) {
                    const bool overflow = !(v == 0) && !(std::isfinite(v) && std::log10(v) < low);  // inf, NaN or too large
                    std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"middle\" font-size=\"14\">%s</text>\n", x,
                                 overflow ? top + 12 : top + plot_h - 3, color, overflow ? "&#x25B2;" : "&#x25BC;");
                    break;
                }
                std::snprintf(buffer, sizeof buffer, "%.1f,%.1f ", x, py(std::log10(v)));
                points += buffer;
            }
            // Every other series dashed: identical curves (Glorot and LeCun on square layers) stay visible.
            std::fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>\n", color,
                         i % 2 ? " stroke-dasharray=\"7,4\"" : "", points.c_str());
            const double legend_y = top + plot_h + 46 + 14 * double(i / 2);
            const double legend_x = offset + left + (i % 2) * plot_w / 2;
            std::fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"%s/>\n", legend_x,
                         legend_x + 22, legend_y - 4, legend_y - 4, color, i % 2 ? " stroke-dasharray=\"7,4\"" : "");
            std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", legend_x + 24, legend_y, escape(s.name).c_str());
        }
    }

    // The same chart on a linear y axis: ticks at 1, 2 or 5 times a power of ten.
    void draw_linear(FILE* out, const panel_data& panel, double offset) const {
        double low = HUGE_VAL, high = -HUGE_VAL;
        std::size_t x_max = 1;
        for (const series& s : panel.lines) {
            x_max = std::max(x_max, s.first_x + (s.values.size() - 1) * s.x_step);
            for (double v : s.values)
                if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
        }
        if (!(high > low)) low = (low > high ? 0 : low) - 1, high = low + 2;  // nothing finite, or one value
        const double raw_step = (high - low) / 8, power = std::pow(10.0, std::floor(std::log10(raw_step)));
        const double step = raw_step <= power ? power : raw_step <= 2 * power ? 2 * power : raw_step <= 5 * power ? 5 * power : 10 * power;
        low = std::floor(low / step) * step, high = std::ceil(high / step) * step;
        const double plot_w = panel_width - left - right, plot_h = panel_height - top - bottom;
        auto px = [&](double x) { return offset + left + plot_w * x / double(x_max); };
        auto py = [&](double value) { return top + plot_h * (high - value) / (high - low); };
        std::fprintf(out, "<text x=\"%.1f\" y=\"18\" font-weight=\"bold\">%s</text>\n", offset + left, escape(panel.title).c_str());
        std::fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#444\"/>\n", offset + left,
                     top, plot_w, plot_h);
        const long ticks = std::lround((high - low) / step);  // 8 or 9: counted, so that rounding cannot loop forever
        for (long i = 0; i <= ticks; ++i) {
            const double tick = low + double(i) * step, value = std::abs(tick) < step / 2 ? 0 : tick;
            std::fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", px(0), px(double(x_max)),
                         py(value), py(value));
            std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", offset + left - 4, py(value) + 4, value);
        }
        for (int i = 0; i <= 5; ++i) {
            const double x = std::round(double(x_max) * i / 5);
            std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.0f</text>\n", px(x), top + plot_h + 14, x);
        }
        std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", px(double(x_max) / 2), top + plot_h + 28,
                     escape(panel.x_label).c_str());
        for (std::size_t i = 0; i < panel.lines.size(); ++i) {
            const series& s = panel.lines[i];
            const char* color = colors[i % (sizeof colors / sizeof *colors)];
            std::string points;
            char buffer[64];
            for (std::size_t k = 0; k < s.values.size(); ++k) {
                const double v = s.values[k], x = px(double(s.first_x + k * s.x_step));
                if (!std::isfinite(v)) {
                    std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"%s\" text-anchor=\"middle\" font-size=\"14\">&#x25B2;</text>\n", x,
                                 top + 12, color);
                    break;
                }
                std::snprintf(buffer, sizeof buffer, "%.1f,%.1f ", x, py(v));
                points += buffer;
            }
            std::fprintf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>\n", color,
                         i % 2 ? " stroke-dasharray=\"7,4\"" : "", points.c_str());
            const double legend_y = top + plot_h + 46 + 14 * double(i / 2);
            const double legend_x = offset + left + (i % 2) * plot_w / 2;
            std::fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"%s/>\n", legend_x,
                         legend_x + 22, legend_y - 4, legend_y - 4, color, i % 2 ? " stroke-dasharray=\"7,4\"" : "");
            std::fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", legend_x + 24, legend_y, escape(s.name).c_str());
        }
    }

    std::vector<panel_data> panels_;
    std::size_t columns_;
};

}  // namespace svg_plot
