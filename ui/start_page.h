#pragma once
// The first-run page shown instead of an empty window: open images, open a dataset pair, get weights, and the
// recently opened pairs.

#include <QWidget>

class QListWidget;
class QLabel;

namespace hpf {

class StartPage : public QWidget {
  Q_OBJECT
 public:
  explicit StartPage(QWidget* parent = nullptr);
  // Each entry is "source\ntarget".
  void set_recent(const QStringList& recent);
  void set_weights_note(const QString& note, bool ok);

 Q_SIGNALS:
  void open_images_requested();
  void open_dataset_requested();
  void weights_requested();
  void recent_requested(const QString& source, const QString& target);

 private:
  QListWidget* recent_;
  QLabel* weights_note_;
};

}  // namespace hpf
