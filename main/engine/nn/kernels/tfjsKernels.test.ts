import { runKernelProviderSuite } from './kernelProviderSuite';
import { createTfjsKernels } from './tfjsKernels';

runKernelProviderSuite(() => createTfjsKernels(), { label: 'tfjs-cpu (reference)' });
