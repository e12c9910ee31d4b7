#pragma once
// PCK-over-α curves with Qt Charts: on screen (PckChart) and rendered off screen for the exports at a fixed
// size (PNG, SVG, PDF), with their data as CSV.

#include "ui/figure_export.h"

#include <QByteArray>
#include <QChartView>
#include <QSize>
#include <QString>

#include <vector>

namespace hpf {

struct Curve {
  QString name;
  std::vector<double> values;  // PCK (0..1) at each alpha of the chart
  bool dashed = false;         // the second run of a comparison
  bool emphasized = false;     // the overall curve: thicker, dark
};

struct ChartContent {
  QString title;
  std::vector<double> alphas;
  std::vector<Curve> curves;
  bool empty() const { return curves.empty(); }
};

// A new chart of `content` (the caller owns it): x = α, y = PCK in percent, one line series per curve.
QChart* make_pck_chart(const ChartContent& content);

class PckChart : public QChartView {
  Q_OBJECT
 public:
  explicit PckChart(QWidget* parent = nullptr);
  void set_content(const ChartContent& content);
  const ChartContent& content() const { return content_; }

 private:
  ChartContent content_;
};

// Renders `content` on its own at `size` points (PNG: 3x pixels) in `format`. Throws std::runtime_error.
QByteArray render_pck_chart(const ChartContent& content, FigureFormat format, QSize size = QSize(900, 560));
// "alpha,<curve>,<curve>..." with one row per alpha, values as fractions (6 decimals).
QString chart_csv(const ChartContent& content);

}  // namespace hpf
