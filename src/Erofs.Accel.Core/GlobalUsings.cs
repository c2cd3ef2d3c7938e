global using Erofs.Accel.Format;
