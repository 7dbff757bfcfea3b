# Generates the real-torch fixtures in nn/src/test/resources/dpvm/nn/io/torch/ (run with any torch >= 1.6).
# Values are arange-based so the Java tests can compute what to expect.
import collections, torch, torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Conv2d(1, 2, 2), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 3))
with torch.no_grad():
    for i, (k, v) in enumerate(model.state_dict().items()):
        if v.dtype.is_floating_point:
            v.copy_(torch.arange(v.numel(), dtype=v.dtype).reshape(v.shape) + 100 * i)
    model[1].num_batches_tracked.fill_(7)
torch.save(model.state_dict(), "state_dict.pth")

dp = nn.DataParallel(model)
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model(torch.ones(2, 1, 2, 2)).sum().backward()
opt.step()
ckpt = {"epoch": 12, "arch": "tiny", "best_acc1": 0.5, "state_dict": dp.state_dict(), "optimizer": opt.state_dict()}
torch.save(ckpt, "checkpoint.pth.tar")

base = torch.arange(24, dtype=torch.float32)
m = base.reshape(4, 6)
views = collections.OrderedDict()
views["transposed"] = m.t()                       # shape (6,4), strides (1,6)
views["sliced"] = m[1:3, 2:5]                     # offset 8, strides (6,1)
views["shared_a"] = base[:10]
views["shared_b"] = base[10:]
views["expanded"] = torch.arange(3.).reshape(3, 1).expand(3, 4)  # stride 0
views["scalar"] = torch.tensor(2.5)
views["param"] = nn.Parameter(torch.arange(4.))
torch.save(views, "views.pth")

dtypes = collections.OrderedDict()
for name, dt in [("f64", torch.float64), ("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16),
                 ("i64", torch.int64), ("i32", torch.int32), ("i16", torch.int16), ("i8", torch.int8),
                 ("u8", torch.uint8)]:
    dtypes[name] = (torch.arange(6) - (0 if name == "u8" else 2)).to(dt).reshape(2, 3)
dtypes["bool"] = torch.tensor([[True, False, True], [False, False, True]])
torch.save(dtypes, "dtypes.pth")

torch.save(model, "full_model.pth")
torch.save(model.state_dict(), "legacy.pth", _use_new_zipfile_serialization=False)
