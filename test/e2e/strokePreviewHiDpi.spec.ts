import { test } from './fixtures';
import { checkBrushFeedback } from './brushFeedback';

// Device pixels twice the CSS pixels: the preview writes device pixels of cornerstone's canvas.
test.use({ deviceScaleFactor: 2 });

test('brush feedback at devicePixelRatio 2 on a zoomed view: the paint under the pointer in the next frame, the redraw matches, the eraser shows the scan', async ({ app: page, server }) => {
  await checkBrushFeedback(page, server, 'zoomed');
});
