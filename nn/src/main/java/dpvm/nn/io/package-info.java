/**
 * Reading and writing pretrained weights at the level of bytes, independent of the engine's
 * tensor class.
 *
 * <ul>
 *   <li>{@link dpvm.nn.io.StoredTensor}: name, {@link dpvm.nn.io.StoredDType}, row-major shape and
 *       contiguous little-endian bytes.</li>
 *   <li>{@link dpvm.nn.io.WeightFile}: a lazily read set of named tensors, opened by
 *       {@link dpvm.nn.io.SafeTensors#open}, {@link dpvm.nn.io.TorchCheckpoint#open} or, by content,
 *       {@link dpvm.nn.io.WeightFiles#open}.</li>
 *   <li>{@link dpvm.nn.io.KeyMapping}: renaming checkpoint keys to model parameter names.</li>
 * </ul>
 *
 * <p>Files are untrusted input. Every read failure, including a hostile file, surfaces as a
 * {@link dpvm.nn.io.WeightFileException} naming the file; a pickle that asks for anything
 * beyond rebuilding tensors and dicts raises {@link dpvm.nn.io.UnsafeWeightFileException}, and
 * nothing from a file is ever executed. Open files may be read from several threads.
 */
package dpvm.nn.io;
