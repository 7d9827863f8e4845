import type { Command } from '../command.ts';

export const emulatorCommand: Command = {
  name: 'emulator',
  summary: '(not implemented yet)',
  help: 'privatelink-approver emulator: not implemented yet\n',
  async run(_argv, io) {
    io.stderr.write('privatelink-approver emulator: not implemented yet\n');
    return 1;
  },
};
