#pragma once
// "Open a dataset pair": choose a benchmark folder or archive, a split, then a pair by id or name. The
// annotations load on a worker thread (SPair-71k has 70k pairs). The full browser comes with part 2.

#include "datasets/dataset.h"
#include "ui/job_runner.h"

#include <QDialog>

#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;

namespace hpf {

class DatasetPairDialog : public QDialog {
  Q_OBJECT
 public:
  explicit DatasetPairDialog(QWidget* parent = nullptr);

  // Pre-fills the fields (e.g. from QSettings) and starts loading.
  void set_location(const QString& kind, const QString& root);
  QString kind() const;
  QString root() const;

  std::shared_ptr<const Dataset> dataset() const { return dataset_; }
  std::optional<PairAnnotation> selected_pair() const;

 private:
  void load();
  void fill_list();

  JobRunner runner_;
  QComboBox* kind_;
  QLineEdit* root_;
  QComboBox* split_;
  QLineEdit* filter_;
  QListWidget* list_;
  QLabel* status_;
  std::shared_ptr<const Dataset> dataset_;
  std::vector<PairAnnotation> pairs_;
};

}  // namespace hpf
