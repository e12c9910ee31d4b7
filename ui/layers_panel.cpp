#include "ui/layers_panel.h"

#include <algorithm>

#include <QCheckBox>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QScrollBar>
#include <QVBoxLayout>

namespace hpf {

namespace {

constexpr int kMapSide = 120;
constexpr int kMaxColumns = 4;

QLabel* map_label(const QImage& image, const QString& tip, QWidget* parent) {
  auto* label = new QLabel(parent);
  label->setPixmap(QPixmap::fromImage(image.scaled(kMapSide, kMapSide, Qt::KeepAspectRatio,
                                                   Qt::FastTransformation)));  // keep the cells crisp
  label->setToolTip(tip);
  label->setAlignment(Qt::AlignCenter);
  return label;
}

}  // namespace

LayersPanel::LayersPanel(QWidget* parent) : QWidget(parent) {
  auto* root = new QVBoxLayout(this);
  message_ = new QLabel(tr("Match a pair to see its hyperpixel layers."), this);
  message_->setWordWrap(true);
  root->addWidget(message_);
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(true);
  grid_host_ = new QWidget(scroll_);
  grid_ = new QGridLayout(grid_host_);
  grid_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
  scroll_->setWidget(grid_host_);
  root->addWidget(scroll_, 1);
}

void LayersPanel::set_message(const QString& message) {
  message_->setText(message);
}

void LayersPanel::set_tiles(const std::vector<LayerTile>& tiles, const QList<int>& selected) {
  for (Tile& t : tiles_) delete t.frame;
  tiles_.clear();
  columns_ = 0;
  for (size_t i = 0; i < tiles.size(); ++i) {
    const LayerTile& lt = tiles[i];
    auto* frame = new QFrame(grid_host_);
    frame->setObjectName("layerTile");
    auto* layout = new QVBoxLayout(frame);
    auto* check =
        new QCheckBox(tr("Layer %1 · %2").arg(lt.info.id).arg(QString::fromStdString(lt.info.stage)), frame);
    check->setToolTip(tr("Use this layer in the hyperpixels (recomputes the matching)."));
    layout->addWidget(check);
    // A transformer block's position is a patch (its box); attention lets it see the whole image.
    const bool patch = lt.info.box_offset > 0;
    auto* info = new QLabel(patch ? tr("%1 channels · %2 px patches").arg(lt.info.channels).arg(lt.info.jump)
                                  : tr("%1 channels · jump %2 px · receptive field %3 px")
                                        .arg(lt.info.channels)
                                        .arg(lt.info.jump)
                                        .arg(lt.info.receptive_field),
                            frame);
    info->setToolTip(patch ? tr("A transformer block: one token per %1 x %1-pixel patch, which is the "
                                "hyperpixel's box; through attention each token sees the whole image.")
                                 .arg(lt.info.jump)
                           : tr("Jump: input pixels between neighbouring positions of this layer. Receptive "
                                "field: side of the input window one position sees."));
    layout->addWidget(info);
    auto* maps = new QHBoxLayout;
    maps->addWidget(map_label(lt.source, tr("Source: first three principal components as RGB"), frame));
    maps->addWidget(
        map_label(lt.target, tr("Target: same components, so equal colours mean similar features"), frame));
    layout->addLayout(maps);
    auto* similarity = new QLabel(frame);
    similarity->setToolTip(
        tr("Cosine similarity of this layer's features between the queried source point and "
           "its best match: how much this layer agrees with the match."));
    layout->addWidget(similarity);
    tiles_.push_back(Tile{lt.info.id, frame, check, similarity});
    connect(check, &QCheckBox::toggled, this, [this] {
      restyle();
      Q_EMIT layers_toggled(this->selected());
    });
  }
  set_selected(selected);  // styles the tiles, then arranges them by their styled width
  set_message(tiles.empty()
                  ? tr("Match a pair to see its hyperpixel layers.")
                  : tr("Highlighted layers form the hyperpixels. Hover the source image in the pair view "
                       "to see each layer's similarity at that point."));
}

// As many columns (up to four) as the visible width holds, so that no tile hides behind a horizontal scroll.
void LayersPanel::arrange() {
  if (tiles_.empty()) return;
  const int spacing = std::max(0, grid_->horizontalSpacing());
  const QMargins margins = grid_->contentsMargins();
  // The vertical scroll bar's width is kept free: it appears once the rows overflow.
  const int available = scroll_->width() - scroll_->verticalScrollBar()->sizeHint().width() -
                        2 * scroll_->frameWidth() - margins.left() - margins.right();
  int widest = 0;
  for (const Tile& t : tiles_) widest = std::max(widest, t.frame->sizeHint().width());
  const int tile = widest + spacing;
  const int columns = std::clamp((available + spacing) / std::max(1, tile), 1, kMaxColumns);
  if (columns == columns_) return;
  columns_ = columns;
  for (size_t i = 0; i < tiles_.size(); ++i) {
    grid_->removeWidget(tiles_[i].frame);
    grid_->addWidget(tiles_[i].frame, static_cast<int>(i) / columns, static_cast<int>(i) % columns);
  }
}

void LayersPanel::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);
  arrange();
}

void LayersPanel::set_selected(const QList<int>& selected) {
  for (Tile& t : tiles_) {
    const QSignalBlocker block(t.check);
    t.check->setChecked(selected.contains(t.id));
  }
  restyle();
}

QList<int> LayersPanel::selected() const {
  QList<int> ids;
  for (const Tile& t : tiles_) {
    if (t.check->isChecked()) ids << t.id;
  }
  return ids;
}

QCheckBox* LayersPanel::layer_check(int id) const {
  for (const Tile& t : tiles_) {
    if (t.id == id) return t.check;
  }
  return nullptr;
}

void LayersPanel::set_similarity(const std::vector<float>& similarity) {
  for (size_t i = 0; i < tiles_.size(); ++i) {
    tiles_[i].similarity->setText(
        i < similarity.size() ? tr("similarity at query: %1").arg(similarity[i], 0, 'f', 3) : QString());
  }
}

void LayersPanel::restyle() {
  for (Tile& t : tiles_) {
    t.frame->setStyleSheet(
        t.check->isChecked()
            ? QStringLiteral("#layerTile { border: 2px solid #2e86de; border-radius: 4px; "
                             "background: rgba(46,134,222,30); }")
            : QStringLiteral("#layerTile { border: 1px solid palette(mid); border-radius: 4px; }"));
  }
  arrange();  // a selected tile's wider border can change how many fit
}

}  // namespace hpf
