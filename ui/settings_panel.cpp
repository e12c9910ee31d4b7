#include "ui/settings_panel.h"

#include "core/compute/backbone.h"
#include "core/compute/runtime.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace hpf {

namespace {

QString default_layers_text(const QString& backbone) {
  try {
    return QString::fromStdString(format_layer_ids(default_layers(backbone.toStdString())));
  } catch (const std::exception&) {
    return QString();
  }
}

}  // namespace

SettingsPanel::SettingsPanel(QWidget* parent) : QWidget(parent) {
  auto* root = new QVBoxLayout(this);
  root->addWidget(build_model_box());
  root->addWidget(build_matching_box());
  root->addWidget(build_evaluation_box());
  root->addStretch(1);
  set_settings(MatchSettings{});
}

// Backbone, weights (with Choose and Download) and device.
QGroupBox* SettingsPanel::build_model_box() {
  auto* model_box = new QGroupBox(tr("Model"), this);
  auto* model = new QFormLayout(model_box);
  backbone_ = new QComboBox(model_box);
  for (const std::string& name : backbone_names()) backbone_->addItem(QString::fromStdString(name));
  backbone_->setToolTip(tr(
      "Network whose intermediate layers form the hyperpixels. ResNet-101 is the paper's main "
      "backbone; MobileNetV2 is fast on a CPU; DINOv2 vision transformers (ViT-S/B/L/g, _reg with register "
      "tokens) offer their blocks as layers, on a 14-px patch grid at 518 px."));
  model->addRow(tr("Backbone"), backbone_);

  weights_ = new QLineEdit(model_box);
  weights_->setPlaceholderText(tr("default weights from the cache"));
  weights_->setToolTip(
      tr("State-dict checkpoint (.pth) of the backbone: torchvision's ImageNet weights, or DINOv2's official "
         "file. Empty: the verified file in the weights cache, which \"Download\" fills."));
  auto* browse = new QPushButton(tr("Choose…"), model_box);
  browse->setToolTip(tr("Pick a weights file on disk."));
  auto* download = new QPushButton(tr("Download"), model_box);
  download->setToolTip(tr(
      "Download the backbone's official weights (torchvision's; DINOv2's) into the cache (resumable, "
      "verified: by the published checksum, or for DINOv2, which publishes none, by the first download's), "
      "with progress and cancel."));
  auto* weights_row = new QHBoxLayout;
  weights_row->addWidget(weights_, 1);
  weights_row->addWidget(browse);
  weights_row->addWidget(download);
  model->addRow(tr("Weights"), weights_row);
  weights_status_ = new QLabel(model_box);
  weights_status_->setWordWrap(true);
  model->addRow(QString(), weights_status_);

  device_ = new QComboBox(model_box);
  device_->addItem(tr("Automatic"), "auto");
  device_->addItem(tr("CPU"), "cpu");
  device_->addItem(tr("GPU (CUDA)"), "cuda");
  if (!cuda_available()) {
    device_->setItemData(2, 0, Qt::UserRole - 1);  // disable the entry: no CUDA device or CPU-only LibTorch
    device_->setItemData(2, tr("No CUDA device is available to this LibTorch build."), Qt::ToolTipRole);
  }
  device_->setToolTip(tr("Where the backbone and matching run. Automatic picks the GPU when there is one."));
  model->addRow(tr("Device"), device_);

  connect(browse, &QPushButton::clicked, this, &SettingsPanel::browse_weights_requested);
  connect(download, &QPushButton::clicked, this, &SettingsPanel::download_weights_requested);
  connect(backbone_, &QComboBox::currentTextChanged, this, [this](const QString& name) {
    layers_->setPlaceholderText(default_layers_text(name));
    // The image side follows the backbone's default (300 px; DINOv2 518 px) unless the user chose another.
    if (max_side_->value() == default_max_side(shown_backbone_.toStdString()))
      max_side_->setValue(default_max_side(name.toStdString()));
    shown_backbone_ = name;
    Q_EMIT backbone_changed(name);
  });
  return model_box;
}

// The matching options: core's MatchOptions, one widget per field, labelled as option_label() names them.
QGroupBox* SettingsPanel::build_matching_box() {
  auto* match_box = new QGroupBox(tr("Matching"), this);
  auto* match = new QFormLayout(match_box);
  method_ = new QComboBox(match_box);
  for (const std::string& name : matching_method_names()) method_->addItem(QString::fromStdString(name));
  method_->setToolTip(
      tr("How hyperpixels are matched: hpf is Hyperpixel Flow's Regularized Hough Matching; scot is SCOT's "
         "optimal transport (CVPR 2020) followed by the same Hough voting. SCOT resizes every image to the "
         "image side (enlarging small ones) and keeps the margin hyperpixels, as its published code does."));
  match->addRow(option_label("method"), method_);
  layers_ = new QLineEdit(match_box);
  layers_->setToolTip(
      tr("Layer ids and ranges whose features are stacked into hyperpixels, e.g. \"4,7,10,13,16\" or "
         "\"4,7-10\". The "
         "smallest id is the base layer that fixes the hyperpixel grid. Empty: the paper's "
         "set for this backbone. Toggle layers in the Hyperpixel layers tab too."));
  auto* reset_layers = new QPushButton(tr("Default"), match_box);
  reset_layers->setToolTip(tr("Use the backbone's default layer set."));
  auto* layers_row = new QHBoxLayout;
  layers_row->addWidget(layers_, 1);
  layers_row->addWidget(reset_layers);
  match->addRow(option_label("layers"), layers_row);

  exponent_ = new QDoubleSpinBox(match_box);
  exponent_->setRange(0.1, MatchLimits::kMaxExponent);
  exponent_->setSingleStep(0.5);
  exponent_->setToolTip(
      tr("Exponent d in max(0, cos)^d: larger values keep only the most similar candidates "
         "(paper: 3)."));
  match->addRow(option_label("exponent"), exponent_);
  ncells_ = new QSpinBox(match_box);
  ncells_->setRange(1, static_cast<int>(MatchLimits::kMaxCells));
  ncells_->setSingleStep(1024);
  ncells_->setToolTip(
      tr("Number of Hough cells over the space of translations (paper: 8192). Fewer cells vote "
         "more coarsely."));
  match->addRow(option_label("ncells"), ncells_);
  kernel_ = new QSpinBox(match_box);
  kernel_->setRange(1, static_cast<int>(MatchLimits::kMaxKernel));
  kernel_->setSingleStep(2);
  kernel_->setToolTip(tr("Side of the Gaussian that smooths the Hough histogram (odd; paper: 7)."));
  match->addRow(option_label("kernel_size"), kernel_);
  ot_epsilon_ = new QDoubleSpinBox(match_box);
  ot_epsilon_->setDecimals(3);
  ot_epsilon_->setRange(MatchLimits::kMinOtEpsilon, MatchLimits::kMaxOtEpsilon);
  ot_epsilon_->setSingleStep(0.01);
  ot_epsilon_->setToolTip(
      tr("SCOT: entropic regularisation ε of the Sinkhorn step (published: 0.05). Smaller is sharper; where "
         "the plan underflows, ε is doubled with a warning, as the published code does."));
  match->addRow(option_label("ot_epsilon"), ot_epsilon_);
  ot_exponent_ = new QDoubleSpinBox(match_box);
  ot_exponent_->setDecimals(2);
  ot_exponent_->setRange(0.05, MatchLimits::kMaxOtExponent);
  ot_exponent_->setSingleStep(0.25);
  ot_exponent_->setToolTip(
      tr("SCOT: exponent applied to the rescaled transport plan before voting. Published settings: 0.5 for "
         "PF-PASCAL and PF-WILLOW, 1.0 for SPair-71k."));
  match->addRow(option_label("ot_exponent"), ot_exponent_);
  cam_ = new QCheckBox(tr("Class activation marginals (CAM)"), match_box);
  cam_->setToolTip(
      tr("SCOT: weight each hyperpixel by the class activation map of the image's two likeliest ImageNet "
         "classes (three scales; two extra backbone passes per image). Off: uniform marginals."));
  match->addRow(cam_);
  voting_ = new QCheckBox(tr("Regularized Hough voting"), match_box);
  voting_->setToolTip(
      tr("Weight each match by the geometric consensus of all matches (RHM). Off: appearance "
         "similarity alone (nearest neighbour)."));
  match->addRow(voting_);
  factorized_ = new QCheckBox(tr("Factorized similarity (faster)"), match_box);
  factorized_->setToolTip(
      tr("Compute cosine similarities per layer at native resolution: same values up to "
         "rounding, less time and memory. Off: exactly as the reference implementation."));
  match->addRow(factorized_);
  prune_ = new QCheckBox(tr("Prune boxes beyond the image"), match_box);
  prune_->setToolTip(
      tr("Drop hyperpixels whose receptive field reaches more than one stride outside the "
         "image (every benchmark but Caltech-101)."));
  match->addRow(prune_);
  max_side_ = new QSpinBox(match_box);
  max_side_->setRange(MatchLimits::kMinSide, MatchLimits::kMaxSide);
  max_side_->setSingleStep(50);
  max_side_->setSuffix(tr(" px"));
  max_side_->setToolTip(
      tr("Images are shrunk so their longer side is at most this (paper: 300). Larger means "
         "finer hyperpixels and much more time."));
  match->addRow(option_label("max_side"), max_side_);
  grid_ = new QSpinBox(match_box);
  grid_->setRange(1, 30);
  grid_->setToolTip(
      tr("For pairs without ground truth: transfer a regular grid of this many points per side."));
  match->addRow(tr("Grid points per side"), grid_);
  auto* apply = new QPushButton(tr("Apply and recompute"), match_box);
  apply->setToolTip(tr("Match the pair again with these settings (Ctrl+R)."));
  match->addRow(apply);

  connect(apply, &QPushButton::clicked, this, &SettingsPanel::apply_requested);
  connect(reset_layers, &QPushButton::clicked, this, [this] { layers_->clear(); });
  connect(method_, &QComboBox::currentTextChanged, this, &SettingsPanel::enable_method_options);
  enable_method_options();
  return match_box;
}

// How the pair view judges predictions: alpha and the threshold kind.
QGroupBox* SettingsPanel::build_evaluation_box() {
  auto* eval_box = new QGroupBox(tr("Evaluation"), this);
  auto* eval = new QFormLayout(eval_box);
  alpha_ = new QDoubleSpinBox(eval_box);
  alpha_->setRange(0.01, 1.0);
  alpha_->setSingleStep(0.01);
  alpha_->setDecimals(2);
  alpha_->setToolTip(
      tr("PCK tolerance α: a transferred keypoint is correct within α·T pixels of the ground "
         "truth (paper: 0.1). The dashed circle shows that radius."));
  eval->addRow(tr("α"), alpha_);
  threshold_ = new QComboBox(eval_box);
  threshold_->addItem(tr("Bounding box (SPair-71k, PF-WILLOW)"));
  threshold_->addItem(tr("Image size (PF-PASCAL)"));
  threshold_->setToolTip(
      tr("What T is: max(w, h) of the target object's bounding box, or of the whole target "
         "image."));
  eval->addRow(tr("Threshold T"), threshold_);

  connect(alpha_, &QDoubleSpinBox::valueChanged, this, &SettingsPanel::evaluation_changed);
  connect(threshold_, &QComboBox::currentIndexChanged, this, &SettingsPanel::evaluation_changed);
  return eval_box;
}

// Each method's own options are editable only while that method is chosen.
void SettingsPanel::enable_method_options() {
  const bool scot = method_->currentText() == QLatin1String("scot");
  exponent_->setEnabled(!scot);
  ot_epsilon_->setEnabled(scot);
  ot_exponent_->setEnabled(scot);
  cam_->setEnabled(scot);
  prune_->setEnabled(!scot);  // SCOT keeps every hyperpixel
}

QString SettingsPanel::backbone() const {
  return backbone_->currentText();
}

QString SettingsPanel::weights_path() const {
  return weights_->text().trimmed();
}

double SettingsPanel::alpha() const {
  return alpha_->value();
}

ThresholdChoice SettingsPanel::threshold() const {
  return threshold_->currentIndex() == 1 ? ThresholdChoice::Image : ThresholdChoice::BoundingBox;
}

MatchSettings SettingsPanel::settings() const {
  MatchSettings s;
  s.backbone = backbone();
  s.weights_path = weights_path();
  s.device = device_->currentData().toString();
  MatchOptions& o = s.match;
  o.method = method_->currentText().toStdString();
  const QString layers = layers_->text().trimmed();
  if (!layers.isEmpty()) o.layers = parse_layer_set(layers.toStdString());
  o.rhm.exponent = exponent_->value();
  o.rhm.ncells = ncells_->value();
  o.rhm.kernel_size = kernel_->value();
  o.ot.epsilon = ot_epsilon_->value();
  o.ot.exponent = ot_exponent_->value();
  o.ot.cam = cam_->isChecked();
  o.rhm.hough_voting = voting_->isChecked();
  o.rhm.factorized_similarity = factorized_->isChecked();
  o.hyperpixels.prune_margin = prune_->isChecked();
  o.max_side = max_side_->value();
  s.grid_per_side = grid_->value();
  s.alpha = alpha();
  s.threshold = threshold();
  return s;
}

void SettingsPanel::set_settings(const MatchSettings& s) {
  const QSignalBlocker b1(backbone_), b2(alpha_), b3(threshold_);
  const int backbone = backbone_->findText(s.backbone);
  backbone_->setCurrentIndex(backbone >= 0 ? backbone : 0);
  shown_backbone_ = backbone_->currentText();
  layers_->setPlaceholderText(default_layers_text(backbone_->currentText()));
  weights_->setText(s.weights_path);
  const int device = device_->findData(s.device);
  device_->setCurrentIndex(device >= 0 ? device : 0);
  const MatchOptions& o = s.match;
  const int method = method_->findText(QString::fromStdString(o.method));
  method_->setCurrentIndex(method >= 0 ? method : 0);
  layers_->setText(QString::fromStdString(format_layer_ids(o.layers)));
  exponent_->setValue(o.rhm.exponent);
  ncells_->setValue(static_cast<int>(o.rhm.ncells));
  kernel_->setValue(static_cast<int>(o.rhm.kernel_size));
  ot_epsilon_->setValue(o.ot.epsilon);
  ot_exponent_->setValue(o.ot.exponent);
  cam_->setChecked(o.ot.cam);
  voting_->setChecked(o.rhm.hough_voting);
  factorized_->setChecked(o.rhm.factorized_similarity);
  prune_->setChecked(o.hyperpixels.prune_margin);
  max_side_->setValue(o.max_side);
  grid_->setValue(s.grid_per_side);
  alpha_->setValue(s.alpha);
  threshold_->setCurrentIndex(s.threshold == ThresholdChoice::Image ? 1 : 0);
}

void SettingsPanel::set_weights_status(const QString& text, bool ok) {
  weights_status_->setText(text);
  weights_status_->setStyleSheet(ok ? QStringLiteral("color: palette(mid);")
                                    : QStringLiteral("color: #d35400;"));
}

}  // namespace hpf
