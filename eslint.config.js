// Lint rules that catch the bugs this codebase is most exposed to: forgotten promises in an async
// pipeline, and type-only imports that would otherwise load modules at run time.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'web-viewer/dist/**', 'out/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // ONNX Runtime's telemetry must be off before its first session (src/engine/onnx-runtime.ts).
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'onnxruntime-node', message: "import { ort } from src/engine/onnx-runtime.ts, which turns ORT's telemetry (and its mat-debug-<pid>.log) off", allowTypeImports: true }] }],
    },
  },
  { files: ['src/engine/onnx-runtime.ts'], rules: { '@typescript-eslint/no-restricted-imports': 'off' } },
);
