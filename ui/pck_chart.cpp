#include "ui/pck_chart.h"

#include "ui/table_csv.h"

#include <QChart>
#include <QGraphicsLayout>
#include <QGraphicsScene>
#include <QLegendMarker>
#include <QLineSeries>
#include <QRegularExpression>
#include <QValueAxis>

#include <algorithm>
#include <stdexcept>

namespace hpf {

namespace {

// 20 distinguishable colours (Tableau 20 order: dark shades first), so 18 SPair categories stay apart.
QColor curve_colour(int i) {
  static const QRgb palette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2,
                                 0x7f7f7f, 0xbcbd22, 0x17becf, 0xaec7e8, 0xffbb78, 0x98df8a, 0xff9896,
                                 0xc5b0d5, 0xc49c94, 0xf7b6d2, 0xc7c7c7, 0xdbdb8d, 0x9edae5};
  return QColor(palette[static_cast<size_t>(i) % (sizeof palette / sizeof palette[0])]);
}

}  // namespace

QChart* make_pck_chart(const ChartContent& content) {
  auto* chart = new QChart;
  chart->setTitle(content.title);
  chart->setBackgroundBrush(Qt::white);
  chart->setMargins(QMargins(6, 6, 6, 6));
  auto* x = new QValueAxis;
  x->setTitleText(QStringLiteral("α (threshold = α · T)"));
  const double max_alpha = content.alphas.empty() ? 0.2 : content.alphas.back();
  x->setRange(0, max_alpha);
  x->setTickCount(std::max(2, static_cast<int>(max_alpha / 0.02 + 0.5) + 1));
  x->setLabelFormat(QStringLiteral("%.2f"));
  auto* y = new QValueAxis;
  y->setTitleText(QStringLiteral("PCK (%)"));
  y->setRange(0, 100);
  y->setTickCount(11);
  y->setLabelFormat(QStringLiteral("%.0f"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  int colour = 0;
  std::map<QString, QColor> colour_of;  // a run's dashed twin keeps the colour of its name
  for (const Curve& c : content.curves) {
    auto* series = new QLineSeries;
    series->setName(c.name);
    for (size_t i = 0; i < c.values.size() && i < content.alphas.size(); ++i) {
      series->append(content.alphas[i], 100.0 * c.values[i]);
    }
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
    QString base = c.name;
    base.remove(QRegularExpression(QStringLiteral(" \\[[AB]\\]$")));
    QColor col;
    if (c.emphasized) {
      col = QColor(30, 30, 30);
    } else if (colour_of.count(base)) {
      col = colour_of[base];
    } else {
      col = colour_of[base] = curve_colour(colour++);
    }
    QPen pen(col);
    pen.setWidthF(c.emphasized ? 3.0 : 1.8);
    if (c.dashed) pen.setStyle(Qt::DashLine);
    series->setPen(pen);
  }
  chart->legend()->setAlignment(content.curves.size() > 6 ? Qt::AlignRight : Qt::AlignBottom);
  chart->legend()->setVisible(!content.curves.empty());
  return chart;
}

PckChart::PckChart(QWidget* parent) : QChartView(parent) {
  setRenderHint(QPainter::Antialiasing);
  setMinimumSize(360, 260);
  set_content({});
}

void PckChart::set_content(const ChartContent& content) {
  content_ = content;
  QChart* old = chart();
  setChart(make_pck_chart(content));
  delete old;
}

QByteArray render_pck_chart(const ChartContent& content, FigureFormat format, QSize size) {
  QGraphicsScene scene;
  QChart* chart = make_pck_chart(content);
  scene.addItem(chart);  // the scene owns the chart
  chart->setGeometry(QRectF(QPointF(0, 0), QSizeF(size)));
  // The chart lays out its plot area through the graphics layout, which normally runs on the next event loop
  // turn: run it now so the render sees axes and series in place.
  if (chart->layout()) chart->layout()->activate();
  return render_figure(scene, QRectF(QPointF(0, 0), QSizeF(size)), format, 3.0);
}

QString chart_csv(const ChartContent& content) {
  QStringList header{QStringLiteral("alpha")};
  for (const Curve& c : content.curves) header << c.name;
  QStringList lines{csv_row(header)};
  for (size_t i = 0; i < content.alphas.size(); ++i) {
    QStringList row{QString::number(content.alphas[i], 'f', 2)};
    for (const Curve& c : content.curves)
      row << (i < c.values.size() ? QString::number(c.values[i], 'f', 6) : QString());
    lines << csv_row(row);
  }
  return lines.join('\n') + '\n';
}

}  // namespace hpf
