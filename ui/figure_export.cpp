#include "ui/figure_export.h"

#include "core/fileio/atomic_file.h"

#include <QBuffer>
#include <QFileInfo>
#include <QGraphicsScene>
#include <QImage>
#include <QPageSize>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <algorithm>
#include <stdexcept>

namespace hpf {

FigureFormat figure_format_for(const QString& path) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix == "png") return FigureFormat::Png;
  if (suffix == "svg") return FigureFormat::Svg;
  if (suffix == "pdf") return FigureFormat::Pdf;
  throw std::invalid_argument(path.toStdString() + ": unknown figure format '." + suffix.toStdString() +
                              "' (expected .png, .svg or .pdf)");
}

namespace {

void paint(QGraphicsScene& scene, QPainter& painter, const QRectF& target, const QRectF& region) {
  painter.setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform |
                         QPainter::TextAntialiasing);
  painter.fillRect(target, Qt::white);
  scene.render(&painter, target, region, Qt::KeepAspectRatio);
}

}  // namespace

QByteArray render_figure(QGraphicsScene& scene, const QRectF& region, FigureFormat format, double png_scale) {
  if (region.isEmpty()) throw std::runtime_error("the figure is empty: nothing to export");
  QByteArray bytes;
  QBuffer buffer(&bytes);
  buffer.open(QIODevice::WriteOnly);
  switch (format) {
    case FigureFormat::Png: {
      const double longest = std::max(region.width(), region.height());
      const double scale = std::min(png_scale, 12000.0 / longest);
      QImage image(std::max(1, qRound(region.width() * scale)), std::max(1, qRound(region.height() * scale)),
                   QImage::Format_ARGB32_Premultiplied);
      if (image.isNull()) throw std::runtime_error("not enough memory for a PNG of this size");
      {
        QPainter painter(&image);
        paint(scene, painter, QRectF(image.rect()), region);
      }
      if (!image.save(&buffer, "PNG")) throw std::runtime_error("PNG encoding failed");
      break;
    }
    case FigureFormat::Svg: {
      QSvgGenerator svg;
      svg.setOutputDevice(&buffer);
      svg.setSize(region.size().toSize());
      svg.setViewBox(QRectF(QPointF(0, 0), region.size()));
      svg.setTitle(QStringLiteral("Hyperpixel Flow correspondences"));
      svg.setDescription(QStringLiteral("Exported by Hyperpixel Studio"));
      QPainter painter;
      if (!painter.begin(&svg)) throw std::runtime_error("SVG generator failed to start");
      paint(scene, painter, QRectF(QPointF(0, 0), region.size()), region);
      painter.end();
      break;
    }
    case FigureFormat::Pdf: {
      QPdfWriter pdf(&buffer);
      pdf.setResolution(300);
      pdf.setTitle(QStringLiteral("Hyperpixel Flow correspondences"));
      pdf.setCreator(QStringLiteral("Hyperpixel Studio"));
      // One page exactly the figure's aspect, 1 scene unit = 1 point, so text and lines keep their
      // proportions.
      pdf.setPageSize(QPageSize(region.size(), QPageSize::Point, QString(), QPageSize::ExactMatch));
      pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
      QPainter painter;
      if (!painter.begin(&pdf)) throw std::runtime_error("PDF writer failed to start");
      paint(scene, painter, QRectF(painter.viewport()), region);
      painter.end();
      break;
    }
  }
  buffer.close();
  return bytes;
}

void export_figure(QGraphicsScene& scene, const QRectF& region, const QString& path, double png_scale) {
  const QByteArray bytes = render_figure(scene, region, figure_format_for(path), png_scale);
  write_file_atomically(path.toStdString(), bytes.toStdString());
}

}  // namespace hpf
