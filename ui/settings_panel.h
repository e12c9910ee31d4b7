#pragma once
// The settings dock: model (backbone, weights, device), layer set, RHM options and evaluation (alpha,
// threshold), each with a tool tip that explains it.

#include "ui/match_settings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QGroupBox;
class QSpinBox;

namespace hpf {

class SettingsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit SettingsPanel(QWidget* parent = nullptr);

  // The settings the widgets show. Throws OptionError when the layer field holds no valid layer set.
  MatchSettings settings() const;
  void set_settings(const MatchSettings& settings);
  // Single fields, for callers that need no matching options (and so cannot fail on the layer field).
  QString backbone() const;
  QString weights_path() const;
  double alpha() const;
  ThresholdChoice threshold() const;
  // Shows where the weights come from (or that they are missing).
  void set_weights_status(const QString& text, bool ok);

 Q_SIGNALS:
  // Any matching option changed and the user pressed Apply (or a layer toggle asked for it).
  void apply_requested();
  // Alpha or threshold changed: only the colouring of the predictions changes.
  void evaluation_changed();
  void browse_weights_requested();
  void download_weights_requested();
  // The backbone changed: the caller may want to check for its weights.
  void backbone_changed(const QString& backbone);

 private:
  QGroupBox* build_model_box();
  QGroupBox* build_matching_box();
  QGroupBox* build_evaluation_box();
  void enable_method_options();

  QComboBox* backbone_;
  QLineEdit* weights_;
  QLabel* weights_status_;
  QComboBox* device_;
  QComboBox* method_;
  QLineEdit* layers_;
  QDoubleSpinBox* exponent_;
  QSpinBox* ncells_;
  QSpinBox* kernel_;
  QDoubleSpinBox* ot_epsilon_;
  QDoubleSpinBox* ot_exponent_;
  QCheckBox* cam_;
  QCheckBox* voting_;
  QCheckBox* factorized_;
  QCheckBox* prune_;
  QSpinBox* max_side_;
  QString shown_backbone_;  // the backbone whose default image side max_side_ may still show
  QSpinBox* grid_;
  QDoubleSpinBox* alpha_;
  QComboBox* threshold_;
};

}  // namespace hpf
