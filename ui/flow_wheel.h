#pragma once
// Legend of the flow colour coding: direction = hue, length = saturation (up to the pair's longest vector).

#include <QWidget>

namespace hpf {

class FlowWheel : public QWidget {
  Q_OBJECT
 public:
  explicit FlowWheel(QWidget* parent = nullptr);
  void set_max_flow(double pixels);
  QSize sizeHint() const override { return {36, 36}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QImage wheel_;
};

}  // namespace hpf
