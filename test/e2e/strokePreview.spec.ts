import { test } from './fixtures';
import { checkBrushFeedback } from './brushFeedback';

test.describe('brush feedback', () => {
  test('a brush move shows its colour under the pointer in the next frame, before any redraw; the redraw at mouseup shows the label; an eraser stroke shows the scan again', async ({ app: page, server }) => {
    await checkBrushFeedback(page, server, 'default');
  });

  test('the same on a zoomed and panned view (the preview maps pixels to voxels through the camera)', async ({ app: page, server }) => {
    await checkBrushFeedback(page, server, 'zoomed');
  });
});
