#pragma once
// "Hyperpixel layers": every backbone layer on the loaded pair as a small map (PCA of its features to RGB),
// with jump and receptive field (transformer blocks: patch size), the selected set highlighted, as many per
// row as fit, and each layer's similarity at the queried point. Ticking a layer in or out asks for the
// matching to be recomputed.

#include "ui/layer_tiles.h"

#include <QList>
#include <QWidget>

#include <vector>

class QCheckBox;
class QGridLayout;
class QLabel;
class QScrollArea;

namespace hpf {

class LayersPanel : public QWidget {
  Q_OBJECT
 public:
  explicit LayersPanel(QWidget* parent = nullptr);

  void set_tiles(const std::vector<LayerTile>& tiles, const QList<int>& selected);
  void set_selected(const QList<int>& selected);
  // Per tile (same order), the cosine similarity at the queried point; empty clears.
  void set_similarity(const std::vector<float>& similarity);
  void set_message(const QString& message);
  int tile_count() const { return static_cast<int>(tiles_.size()); }
  QList<int> selected() const;
  // The tick box of layer `id` (nullptr when absent): what the user clicks to toggle a layer.
  QCheckBox* layer_check(int id) const;

 Q_SIGNALS:
  void layers_toggled(const QList<int>& selected);

 private:
  struct Tile {
    int id = 0;
    QWidget* frame = nullptr;
    QCheckBox* check = nullptr;
    QLabel* similarity = nullptr;
  };
  void restyle();
  void arrange();  // places the tiles in as many columns as fit
  void resizeEvent(QResizeEvent* event) override;

  QLabel* message_;
  QGridLayout* grid_;
  QScrollArea* scroll_;
  int columns_ = 0;  // the columns the tiles are placed in (0: not placed yet)
  QWidget* grid_host_;
  std::vector<Tile> tiles_;
};

}  // namespace hpf
