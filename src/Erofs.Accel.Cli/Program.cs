using Erofs.Accel.Cli;

return CliApp.Run(args, Console.Out, Console.Error);
