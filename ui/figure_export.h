#pragma once
// Exports the current figure (a region of the pair view's scene) as PNG, SVG or PDF at publication
// resolution. Files are written atomically: complete or not at all.

#include <QByteArray>
#include <QRectF>
#include <QString>

class QGraphicsScene;

namespace hpf {

enum class FigureFormat { Png, Svg, Pdf };

// The format named by the file's suffix (.png, .svg, .pdf, any case). Throws std::invalid_argument otherwise.
FigureFormat figure_format_for(const QString& path);

// Renders `region` of `scene` on a white background. PNG: `png_scale` output pixels per scene unit (capped so
// the long side stays within 12000 px); SVG: vector items, images embedded; PDF: one page sized to the
// region, 300 dpi. Throws std::runtime_error when the renderer fails.
QByteArray render_figure(QGraphicsScene& scene, const QRectF& region, FigureFormat format,
                         double png_scale = 3.0);

// render_figure() then an atomic write to `path`. Throws std::runtime_error naming the file.
void export_figure(QGraphicsScene& scene, const QRectF& region, const QString& path, double png_scale = 3.0);

}  // namespace hpf
